import type { IntegrationEvent, VoiceAssertion } from '@homeline/contracts';
import { randomUUID } from 'node:crypto';

export interface InboundCall {
  readonly callId: string;
  readonly accountId: string;
  /** The caller's number (default +15550100123). */
  readonly from?: string;
  /** What routing says: the caller is someone's contact in the household. */
  readonly fromContact?: boolean;
  readonly sensitive?: boolean;
}

/** An AnswerRequested envelope as the calls service publishes it, on the call's stream. */
export const answerRequested = (call: InboundCall, deviceId: string, voice: VoiceAssertion, now = new Date(), answerId: string = randomUUID()) => ({
  id: randomUUID(), type: 'AnswerRequested' as const, source: 'calls' as const, streamId: `call-${call.callId}`, streamVersion: 3,
  occurredAt: now.toISOString(), correlationId: call.callId, causationId: null, accountId: call.accountId,
  data: {
    callId: call.callId, answerId, accountId: call.accountId, deviceId, voice, requestedAt: now.toISOString(),
    from: call.from ?? '+15550100123', fromContact: call.fromContact ?? false, sensitive: call.sensitive ?? false,
  },
}) satisfies IntegrationEvent<'AnswerRequested'>;

export type AnswerRequestedEnvelope = ReturnType<typeof answerRequested>;
