/** How long each waiting step of a call may take. Configuration; these are the defaults. */
export interface CallTimeouts {
  /** identity's SpeakerVerified / SpeakerRejected. */
  readonly verificationMs: number;
  /** routing's DestinationResolved / DestinationRejected. */
  readonly routingMs: number;
  /** the carrier leg to start ringing. */
  readonly ringingMs: number;
  /** the far end to answer. */
  readonly answerMs: number;
  /**
   * an emergency call's far end to answer: a call-taker queue may hold a caller for minutes, and
   * hanging up would lose their place in it. Long, not unbounded; the caller can always hang up.
   */
  readonly emergencyAnswerMs: number;
  /**
   * routing's decision on a target that may be an emergency number, and an emergency leg's ringing:
   * the carrier's retries must fit in it, so it is longer than routingMs and ringingMs.
   */
  readonly emergencySetupMs: number;
  /** someone in the home to answer an inbound call (CALL_RING_TIMEOUT_MS). */
  readonly ringMs: number;
}

export const defaultCallTimeouts: CallTimeouts = {
  verificationMs: 5_000,
  routingMs: 5_000,
  ringingMs: 10_000,
  answerMs: 45_000,
  emergencyAnswerMs: 1_800_000,
  emergencySetupMs: 120_000,
  ringMs: 30_000,
};

export const after = (now: string, ms: number): string => new Date(Date.parse(now) + ms).toISOString();
