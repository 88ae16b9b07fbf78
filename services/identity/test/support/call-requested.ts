import type { IntegrationEvent, VoiceAssertion } from '@homeline/contracts';
import { randomUUID } from 'node:crypto';

/** A CallRequested envelope as the calls service publishes it. */
export const callRequested = (deviceId: string, target: string, voice: VoiceAssertion, callId = randomUUID(), now = new Date()) => ({
  id: randomUUID(), type: 'CallRequested' as const, source: 'calls' as const, streamId: `call-${callId}`, streamVersion: 1,
  occurredAt: now.toISOString(), correlationId: callId, causationId: null, accountId: null,
  data: {
    callId, direction: 'outbound' as const, deviceId, target, voice,
    requestedAt: now.toISOString(), deadline: new Date(now.getTime() + 10_000).toISOString(),
  },
}) satisfies IntegrationEvent<'CallRequested'>;

export type CallRequestedEnvelope = ReturnType<typeof callRequested>;
