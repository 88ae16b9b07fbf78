/** An enrolled voiceprint; a member may have several. */
export interface EnrolledVoiceprint {
  readonly memberId: string;
  readonly embedding: readonly number[];
}

export interface VoiceMatch {
  readonly memberId: string;
  readonly score: number;
}

export const cosineSimilarity = (a: readonly number[], b: readonly number[]): number => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
};

/**
 * Each member's best score against the utterance, best first. Prints of another
 * dimension (another model) are not comparable and are skipped.
 */
export const rankMembers = (utterance: readonly number[], enrolled: readonly EnrolledVoiceprint[]): VoiceMatch[] => {
  const best = new Map<string, number>();
  for (const print of enrolled) {
    if (print.embedding.length !== utterance.length) continue;
    const score = cosineSimilarity(utterance, print.embedding);
    best.set(print.memberId, Math.max(score, best.get(print.memberId) ?? -Infinity));
  }
  return [...best].map(([memberId, score]) => ({ memberId, score })).sort((a, b) => b.score - a.score);
};
