/** An enrolled voiceprint; a member may have several. */
export interface EnrolledVoiceprint {
  readonly memberId: string;
  readonly embedding: readonly number[];
}

export interface VoiceMatch {
  readonly memberId: string;
  readonly score: number;
}

/** The cosine of two vectors; NaN when it is not a number in [-1, 1] (a zero or overflowing vector). */
export const cosineSimilarity = (a: readonly number[], b: readonly number[]): number => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  const cosine = dot / Math.sqrt(na * nb);
  if (!Number.isFinite(cosine)) return NaN;
  return Math.min(1, Math.max(-1, cosine)); // rounding may overshoot by an ulp
};

/**
 * Each member's best score against the utterance, best first. Prints of another dimension
 * (another model) are not comparable and are skipped; so is any score that is not a number (a
 * print stored before enrolment refused insane vectors), so a NaN can never rank, let alone win.
 */
export const rankMembers = (utterance: readonly number[], enrolled: readonly EnrolledVoiceprint[]): VoiceMatch[] => {
  const best = new Map<string, number>();
  for (const print of enrolled) {
    if (print.embedding.length !== utterance.length) continue;
    const score = cosineSimilarity(utterance, print.embedding);
    if (Number.isNaN(score)) continue;
    best.set(print.memberId, Math.max(score, best.get(print.memberId) ?? -Infinity));
  }
  return [...best].map(([memberId, score]) => ({ memberId, score })).sort((a, b) => b.score - a.score);
};
