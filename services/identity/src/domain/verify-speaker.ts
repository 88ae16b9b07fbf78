import type {
  SpeakerRejected,
  SpeakerRejectionReason,
  SpeakerVerified,
  VoiceAssertion,
  VoicePurpose,
} from '@homeline/contracts';
import { isSignedByDevice } from '@homeline/contracts';
import {
  defaultSpeakerVerificationConfig,
  type ActionRisk,
  type SpeakerVerificationConfig,
} from './speaker-thresholds';
import type { AnswerDecision } from './verify-answer';
import { rankMembers, type EnrolledVoiceprint, type VoiceMatch } from './voice-match';
import { voiceVectorProblem } from './voice-vector';

export interface LinkedDevice {
  readonly deviceId: string;
  readonly accountId: string;
  /** Ed25519, base64 of the raw 32 bytes. */
  readonly publicKey: string;
  /**
   * Waiting for an owner's approval to be linked (docs/architecture.md section 6.2): its requests
   * are checked as a linked device's, then refused `device_pending_approval`.
   */
  readonly held?: boolean;
}

/** Everything verifySpeaker needs, gathered by the caller (who owns the I/O). */
export interface VerificationContext {
  readonly callId: string;
  /** The device the request came from (CallRequested.deviceId). */
  readonly deviceId: string;
  /** What the assertion must be for: `place-call` + the dial target, or `answer-call` + the callId. */
  readonly purpose: VoicePurpose;
  readonly subject: string;
  readonly risk?: ActionRisk;
  /** That device as linked in identity, or null if it is linked to no account. */
  readonly device: LinkedDevice | null;
  /** Whether the nonce store already holds `assertion.nonce`. */
  readonly nonceSeen: boolean;
  /** The voiceprints of the device's household. */
  readonly enrolled: readonly EnrolledVoiceprint[];
  /** When the request was made: freshness is judged then. */
  readonly now: string;
  /** When identity decides (default: `now`): the nonce store remembers only so far back from it. */
  readonly decidedAt?: string;
  readonly config?: SpeakerVerificationConfig;
}

export type SpeakerDecision =
  | { readonly type: 'SpeakerVerified'; readonly data: SpeakerVerified }
  | { readonly type: 'SpeakerRejected'; readonly data: SpeakerRejected };

type Scores = Pick<SpeakerRejected, 'score' | 'threshold' | 'liveness'>;

const reject = (
  context: VerificationContext,
  reason: SpeakerRejectionReason,
  scores: Scores = {},
): SpeakerDecision => ({
  type: 'SpeakerRejected',
  data: {
    callId: context.callId,
    accountId: context.device?.accountId ?? null,
    deviceId: context.deviceId,
    reason,
    ...scores,
    decision: 'reject',
  },
});

const isFresh = (issuedAt: string, context: VerificationContext, config: SpeakerVerificationConfig): boolean => {
  const issued = Date.parse(issuedAt);
  const ageMs = Date.parse(context.now) - issued;
  const remembered = Date.parse(context.decidedAt ?? context.now) - issued <= config.rememberNoncesSeconds * 1000;
  return remembered && ageMs <= config.maxAgeSeconds * 1000 && ageMs >= -config.futureSkewSeconds * 1000;
};

/** The device-trust checks (docs/architecture.md section 1, "something the home has"). */
const deviceTrustFailure = (
  a: VoiceAssertion,
  device: LinkedDevice,
  context: VerificationContext,
  config: SpeakerVerificationConfig,
): SpeakerRejectionReason | null => {
  if (!isSignedByDevice(a, device.publicKey)) return 'invalid_signature';
  if (a.deviceId !== context.deviceId || a.purpose !== context.purpose || a.subject !== context.subject)
    return 'assertion_mismatch';
  if (!isFresh(a.issuedAt, context, config)) return 'stale_assertion';
  if (context.nonceSeen) return 'replayed_assertion';
  return null;
};

/** The contract says liveness is in [0, 1]; JSON cannot carry NaN, but a caller of this function could. */
const isLiveness = (x: number): boolean => Number.isFinite(x) && x >= 0 && x <= 1;

const marginOf = (ranked: readonly VoiceMatch[]): number => (ranked.length > 1 ? ranked[0].score - ranked[1].score : 1);

/**
 * Decides who is speaking (docs/architecture.md section 6): the assertion must be signed by the
 * linked device's key, bound to this purpose and subject, fresh, never seen, live enough, and
 * its embedding a sane vector (voiceVectorProblem) that matches one enrolled member clearly better
 * than any other. A score that is not a number never accepts. A `standard` action that also
 * meets the high thresholds is verified with `high` assurance.
 */
export const verifySpeaker = (assertion: VoiceAssertion, context: VerificationContext): SpeakerDecision => {
  const config = context.config ?? defaultSpeakerVerificationConfig;
  const { device } = context;
  if (!device || device.deviceId !== context.deviceId) return reject(context, 'unlinked_device');
  const deviceFailure = deviceTrustFailure(assertion, device, context, config);
  if (deviceFailure) return reject(context, deviceFailure);
  if (device.held) return reject(context, 'device_pending_approval');

  // Every comparison is written so that NaN fails it: `!(x >= threshold)`, never `x < threshold`.
  const required = context.risk === 'high' ? config.high : config.standard;
  const liveness = assertion.liveness;
  if (!isLiveness(liveness) || !(liveness >= required.liveness)) return reject(context, 'low_liveness', isLiveness(liveness) ? { liveness } : {});
  if (voiceVectorProblem(assertion.embedding) !== null) return reject(context, 'speaker_not_verified', { threshold: required.score, liveness });

  const ranked = rankMembers(assertion.embedding, context.enrolled);
  const best = ranked[0];
  const scores = { score: best?.score ?? 0, threshold: required.score, liveness };
  if (!best || !(best.score >= required.score)) return reject(context, 'speaker_not_verified', scores);
  const margin = marginOf(ranked);
  if (!(margin >= required.margin)) return reject(context, 'ambiguous_speaker', scores);

  const high = config.high;
  const meetsHigh = best.score >= high.score && margin >= high.margin && liveness >= high.liveness;
  return {
    type: 'SpeakerVerified',
    data: {
      callId: context.callId,
      accountId: device.accountId,
      deviceId: context.deviceId,
      memberId: best.memberId,
      score: best.score,
      threshold: required.score,
      margin,
      liveness,
      assurance: meetsHigh ? 'high' : 'standard',
      decision: 'accept',
    },
  };
};

/**
 * Whether the caller must now store the nonce: every assertion the device really signed burns
 * its nonce, whatever the outcome (a refused answer too), so a refused one cannot be retried; a
 * forgery or an unknown device does not (it would let anyone exhaust a device's nonces).
 */
export const burnsNonce = (decision: SpeakerDecision | AnswerDecision): boolean =>
  !('reason' in decision.data) || !['unlinked_device', 'invalid_signature'].includes(decision.data.reason);
