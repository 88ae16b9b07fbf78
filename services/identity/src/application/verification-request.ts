import type { IntegrationEvent, VoiceAssertion } from '@homeline/contracts';
import type { ActionRisk, InboundCallFacts } from '../domain';

/**
 * What identity is told of an inbound call. `fromContact` is routing's: the caller is someone's
 * contact in the household. Whose, identity reads in its own registry when it says so.
 */
export interface InboundCall extends InboundCallFacts {
  /** The caller's number (E.164), or `anonymous`. */
  readonly from: string;
}

/** What every voice to verify carries, whatever it is for. */
interface VoiceToVerify {
  /** Where its decision goes: one decision per stream, ever. */
  readonly streamId: string;
  readonly callId: string;
  /** The device the request came from, whose key must have signed the assertion. */
  readonly deviceId: string;
  readonly assertion: VoiceAssertion;
  /**
   * Freshness is judged at the moment the request was accepted, not when identity gets to it: a
   * backlog or a restart must not turn a genuine request stale, and a redelivery decides the same.
   * A replayed assertion comes with a new request, so it still ages.
   */
  readonly requestedAt: string;
  /** The event that asked, and the trace it came in: the decision continues both. */
  readonly causationId: string;
  readonly traceparent: string | null;
}

/** The voice placing a call to a target. */
export interface PlaceCallVerification extends VoiceToVerify {
  readonly purpose: 'place-call';
  readonly subject: string;
  readonly risk: ActionRisk;
}

/** The voice answering an inbound call of an account, and what the call is (for who may answer). */
export interface AnswerCallVerification extends VoiceToVerify {
  readonly purpose: 'answer-call';
  readonly answerId: string;
  /** The account whose call it is: the device must be linked to it. */
  readonly accountId: string;
  readonly call: InboundCall;
}

export type VerificationRequest = PlaceCallVerification | AnswerCallVerification;

export const verificationStreamId = (callId: string): string => `verification-${callId}`;
export const answerStreamId = (answerId: string): string => `answer-${answerId}`;

/** An outbound CallRequested asks for the voice that placed it to be verified. */
export const placeCallVerification = ({ id, data }: IntegrationEvent<'CallRequested'>, traceparent: string | null): PlaceCallVerification => ({
  streamId: verificationStreamId(data.callId),
  callId: data.callId,
  deviceId: data.deviceId,
  purpose: 'place-call',
  subject: data.target,
  risk: 'standard',
  assertion: data.voice,
  requestedAt: data.requestedAt,
  causationId: id,
  traceparent,
});

/** An AnswerRequested asks whether the voice answering may take the call: decided once per answerId. */
export const answerCallVerification = ({ id, data }: IntegrationEvent<'AnswerRequested'>, traceparent: string | null): AnswerCallVerification => ({
  streamId: answerStreamId(data.answerId),
  callId: data.callId,
  deviceId: data.deviceId,
  purpose: 'answer-call',
  answerId: data.answerId,
  accountId: data.accountId,
  call: { from: data.from, fromContact: data.fromContact, sensitive: data.sensitive, emergencyCallback: data.emergencyCallback ?? false },
  assertion: data.voice,
  requestedAt: data.requestedAt,
  causationId: id,
  traceparent,
});
