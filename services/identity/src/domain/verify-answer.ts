import type { AnswerAuthorized, AnswerRefused, AnswerRefusalReason, VoiceAssertion } from '@homeline/contracts';
import { mayAnswerCall, type InboundCallFacts } from './may-answer';
import type { MemberPermissions } from './permissions';
import type { SpeakerVerificationConfig } from './speaker-thresholds';
import { verifySpeaker, type LinkedDevice } from './verify-speaker';
import type { EnrolledVoiceprint } from './voice-match';

/** Everything verifyAnswer needs, gathered by the caller (who owns the I/O). */
export interface AnswerContext extends Omit<InboundCallFacts, 'fromContact'> {
  /**
   * Whose contacts the caller is among, in identity's registry: null for a household contact, a
   * member's id for that member's own. Empty when the caller is no contact (or anonymous).
   */
  readonly callerIsContactOf: readonly (string | null)[];
  readonly callId: string;
  /** The answer attempt the decision names. */
  readonly answerId: string;
  /** The account the call rang: the answering device must be linked to it. */
  readonly accountId: string;
  /** The device the answer came from (AnswerRequested.deviceId). */
  readonly deviceId: string;
  /** That device as linked in identity (to whichever account), or null. */
  readonly device: LinkedDevice | null;
  readonly nonceSeen: boolean;
  /** The voiceprints of the call's household. */
  readonly enrolled: readonly EnrolledVoiceprint[];
  /** The role and overrides of the household's members, by memberId. */
  readonly members: ReadonlyMap<string, MemberPermissions>;
  /** When the answer was requested: the assertion's freshness is judged then. */
  readonly now: string;
  /** When identity decides (default: `now`): see VerificationContext. */
  readonly decidedAt?: string;
  readonly config?: SpeakerVerificationConfig;
}

export type AnswerDecision =
  | { readonly type: 'AnswerAuthorized'; readonly data: AnswerAuthorized }
  | { readonly type: 'AnswerRefused'; readonly data: AnswerRefused };

const refuse = (
  context: AnswerContext,
  reason: AnswerRefusalReason,
  memberId: string | null,
  scores: Pick<AnswerRefused, 'score' | 'liveness'>,
): AnswerDecision => ({
  type: 'AnswerRefused',
  data: { callId: context.callId, answerId: context.answerId, accountId: context.accountId, deviceId: context.deviceId, memberId, reason, ...scores },
});

// A refusal shows the scores the voice reached, when it got that far.
const scoresOf = (score: number | undefined, liveness: number | undefined): Pick<AnswerRefused, 'score' | 'liveness'> => ({
  ...(score === undefined ? {} : { score }),
  ...(liveness === undefined ? {} : { liveness }),
});

/**
 * Decides an answer to an inbound call: the voice is verified exactly as a placed call's
 * (verifySpeaker: the device's key, purpose `answer-call`, subject the callId, freshness, nonce,
 * liveness, best score and margin, at the standard thresholds), then mayAnswerCall says whether
 * the recognised member may take this call. The caller counts as a contact for that member when it
 * is a household contact or the member's own: a child answers a call from a friend of theirs, not
 * from a parent's own contact (a doctor, a lawyer). A device linked to another household is refused as
 * `unlinked_device`: it is not one of this call's devices, and its own account is not named.
 * The standard thresholds come first so that a sensitive call answered by a voice that passes
 * them but not the high ones is refused `insufficient_assurance`, not as an unknown speaker.
 */
export const verifyAnswer = (assertion: VoiceAssertion, context: AnswerContext): AnswerDecision => {
  const { callId, deviceId, nonceSeen, enrolled, now, decidedAt, config } = context;
  const device = context.device?.accountId === context.accountId ? context.device : null;
  const speaker = verifySpeaker(assertion, {
    callId, deviceId, purpose: 'answer-call', subject: callId, risk: 'standard', device, nonceSeen, enrolled, now, decidedAt, config,
  });
  if (speaker.type === 'SpeakerRejected') {
    const { reason, score, liveness } = speaker.data;
    return refuse(context, reason, null, scoresOf(score, liveness));
  }
  const { memberId, score, threshold, margin, liveness, assurance } = speaker.data;
  const member = context.members.get(memberId);
  const fromContact = context.callerIsContactOf.some((owner) => owner === null || owner === memberId);
  const permission = member ? mayAnswerCall(member, { ...context, fromContact }, assurance) : ({ allowed: false, reason: 'not_permitted' } as const);
  if (!permission.allowed) return refuse(context, permission.reason, memberId, scoresOf(score, liveness));
  return {
    type: 'AnswerAuthorized',
    data: { callId, answerId: context.answerId, accountId: context.accountId, deviceId, memberId, score, threshold, margin, liveness, assurance },
  };
};
