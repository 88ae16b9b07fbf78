import { Topics, type IntegrationEvent, type VoiceAssertion } from '@homeline/contracts';
import { eventually } from '@homeline/testing';
import type { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { distinctEvents, type Received, type TopicTap } from './topic-tap';

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

/** Publishes the request on the calls topic, as calls would, and waits for identity's one speaker decision on it. */
export const speakerDecisionOn = async (producer: Producer, published: TopicTap, request: CallRequestedEnvelope): Promise<Received['value']> => {
  await producer.send({ topic: Topics.calls, messages: [{ key: request.streamId, value: JSON.stringify(request), headers: { 'event-type': request.type } }] });
  return eventually(() => {
    const found = distinctEvents(published.messages.filter((m) => m.value.type.startsWith('Speaker') && m.value.causationId === request.id));
    expect(found).toHaveLength(1);
    return found[0].value;
  });
};
