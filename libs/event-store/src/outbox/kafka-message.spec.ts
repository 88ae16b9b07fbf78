import { envelopeSchema, Headers } from '@homeline/contracts';
import type { RecordedEvent } from '../store/types';
import { groupByTopic, toKafkaMessage, topicBySource } from './kafka-message';

const recorded = (overrides: Partial<RecordedEvent>): RecordedEvent => ({
  id: '6f1c1e0e-8a4b-4a0e-9a43-2d1f1c9f0b11', type: 'CallRequested', source: 'calls', streamId: 'call-1',
  streamVersion: 1, occurredAt: '2026-11-24T18:00:00.000Z', correlationId: 'call-1', causationId: null,
  accountId: null, data: {}, position: 7n, traceparent: null, ...overrides,
});

describe('an event published from the outbox', () => {
  it('is keyed by its stream and carries the bare envelope as its value', () => {
    const message = toKafkaMessage(recorded({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }));
    expect(message.key).toBe('call-1');
    const value = JSON.parse(String(message.value));
    expect(envelopeSchema.parse(value)).toEqual(value);
    expect(value).not.toHaveProperty('position');
    expect(message.headers).toEqual({
      [Headers.eventType]: 'CallRequested',
      [Headers.traceparent]: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
  });

  it('has no traceparent header when it was appended outside a trace', () => {
    expect(toKafkaMessage(recorded({})).headers).toEqual({ [Headers.eventType]: 'CallRequested' });
  });

  it('goes by default to the topic of the service that recorded it', () => {
    expect(topicBySource(recorded({ source: 'routing' }))).toBe('homeline.routing.v1');
  });

  it('keeps store order within each topic of a batch', () => {
    const batch = [
      recorded({ streamId: 'a', source: 'calls' }),
      recorded({ streamId: 'b', source: 'routing' }),
      recorded({ streamId: 'c', source: 'calls' }),
    ];
    const grouped = groupByTopic(batch, topicBySource);
    expect(grouped.map((g) => [g.topic, g.messages.map((m) => m.key)])).toEqual([
      ['homeline.calls.v1', ['a', 'c']],
      ['homeline.routing.v1', ['b']],
    ]);
  });

  it('is keyed as the service asks, so a call spread over several streams stays in order on one partition', () => {
    const batch = [
      recorded({ streamId: 'route-call-1', correlationId: 'call-1', source: 'routing' }),
      recorded({ streamId: 'leg-7', correlationId: 'call-1', source: 'routing' }),
    ];
    const grouped = groupByTopic(batch, topicBySource, (event) => event.correlationId);
    expect(grouped[0].messages.map((m) => m.key)).toEqual(['call-1', 'call-1']);
  });
});
