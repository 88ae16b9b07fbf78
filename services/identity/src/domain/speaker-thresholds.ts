/** How strict a voice decision is. Scores are cosine similarities of embeddings, in [-1, 1]. */
export interface SpeakerThresholds {
  /** The best member's score must reach this. */
  readonly score: number;
  /** ...and beat the runner-up by at least this, or the speaker is ambiguous. */
  readonly margin: number;
  /** The device's anti-spoof score must reach this. */
  readonly liveness: number;
}

export interface SpeakerVerificationConfig {
  /** Placing an ordinary call, answering an ordinary call. */
  readonly standard: SpeakerThresholds;
  /** Riskier actions: premium or international destinations, answering a sensitive call. */
  readonly high: SpeakerThresholds;
  /** An assertion older than this is stale. Keep the nonce store's retention at least this long. */
  readonly maxAgeSeconds: number;
  /** Tolerated device clock drift into the future. */
  readonly futureSkewSeconds: number;
  /**
   * Burnt nonces are swept after a while (NONCE_RETENTION_SECONDS): an assertion issued longer
   * ago than this when identity decides is refused as stale, however recent its request, since
   * whether its nonce was used can no longer be told. The longest backlog a request survives.
   */
  readonly rememberNoncesSeconds: number;
}

export const defaultSpeakerVerificationConfig: SpeakerVerificationConfig = {
  standard: { score: 0.75, margin: 0.1, liveness: 0.8 },
  high: { score: 0.85, margin: 0.15, liveness: 0.9 },
  maxAgeSeconds: 30,
  futureSkewSeconds: 5,
  rememberNoncesSeconds: 3540,
};

/** The risk of the action being asked for; `high` requires the high thresholds outright. */
export type ActionRisk = 'standard' | 'high';
