import { Headers } from '@homeline/contracts';
import type { KafkaMessage } from 'kafkajs';
import { classifyMessage, toDeadLetter } from './incoming-message';

const callEnded = {
  id: '6f1c1e0e-8a4b-4a0e-9a43-2d1f1c9f0b11', type: 'CallEnded', source: 'calls', streamId: 'call-1',
  streamVersion: 4, occurredAt: '2026-11-24T18:00:00.000Z', correlationId: '9a1c1e0e-8a4b-4a0e-9a43-2d1f1c9f0b11', causationId: null,
  accountId: 'acct-1', data: { callId: '9a1c1e0e-8a4b-4a0e-9a43-2d1f1c9f0b11', cause: 'hung_up', duration: 12, endedAt: '2026-11-24T18:00:12.000Z' },
};
const message = (value: unknown, type?: string): Pick<KafkaMessage, 'value' | 'headers'> => ({
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers: type === undefined ? {} : { [Headers.eventType]: Buffer.from(type) },
});
const handling = (...types: string[]) => ({ handles: new Set(types) });

describe('an incoming message', () => {
  it('is acted on when its type is handled and it is valid', () => {
    expect(classifyMessage(message(callEnded, 'CallEnded'), handling('CallEnded'))).toMatchObject({ kind: 'event', event: { id: callEnded.id } });
  });

  it('is dead-lettered when it holds text PostgreSQL cannot store, unless its consumer stores any text', () => {
    const withNul = { ...callEnded, data: { ...callEnded.data, callId: 'call-\u0000' } };
    const loneSurrogate = { ...callEnded, data: { ...callEnded.data, callId: 'call-\ud800' } };
    const emoji = { ...callEnded, data: { ...callEnded.data, callId: 'call-\u{1F600}' } };
    for (const event of [withNul, loneSurrogate]) {
      expect(classifyMessage(message(event, 'CallEnded'), handling('CallEnded'))).toMatchObject({ kind: 'dead', code: 'unstorable_text' });
      expect(classifyMessage(message(event, 'CallEnded'), { ...handling('CallEnded'), storesAnyText: true })).toMatchObject({ kind: 'event' });
    }
    expect(JSON.stringify(emoji)).not.toContain('\\u');
    expect(classifyMessage(message(JSON.stringify(emoji).replace('\u{1F600}', '\\ud83d\\ude00'), 'CallEnded'), handling('CallEnded'))).toMatchObject({
      kind: 'event',
      event: { data: { callId: 'call-\u{1F600}' } },
    });
  });

  it('is skipped, unvalidated, when its type is known but not handled', () => {
    const invalid = { ...callEnded, data: { nonsense: true } };
    expect(classifyMessage(message(invalid, 'CallEnded'), handling('CallRouting'))).toEqual({ kind: 'skip' });
  });

  it('is skipped when its type is handled but its data says it is nothing to this consumer; still validated first', () => {
    const shortCalls = { ...handling('CallEnded'), acts: (event: { data: { duration: number } }) => event.data.duration > 60 };
    expect(classifyMessage(message(callEnded, 'CallEnded'), shortCalls)).toEqual({ kind: 'skip' });
    const long = { ...callEnded, data: { ...callEnded.data, duration: 600 } };
    expect(classifyMessage(message(long, 'CallEnded'), shortCalls)).toMatchObject({ kind: 'event', event: { id: callEnded.id } });
    const broken = { ...callEnded, data: { ...callEnded.data, duration: 'long' } };
    expect(classifyMessage(message(broken, 'CallEnded'), shortCalls)).toMatchObject({ kind: 'dead', code: 'invalid_event' });
  });

  it('is dead-lettered when its value is empty', () => {
    expect(classifyMessage(message(null), handling('CallEnded'))).toMatchObject({ kind: 'dead', code: 'empty_message' });
    expect(classifyMessage(message(''), handling('CallEnded'))).toMatchObject({ kind: 'dead', code: 'empty_message' });
  });

  it('is dead-lettered when it is not JSON', () => {
    expect(classifyMessage(message('{not json'), handling('CallEnded'))).toMatchObject({ kind: 'dead', code: 'not_json', reason: expect.stringMatching(/^value is not JSON/) });
  });

  it('is dead-lettered when its event-type header disagrees with its body, even for a type it would skip', () => {
    const lying = classifyMessage(message(callEnded, 'CallRinging'), handling('CallRouting'));
    expect(lying).toMatchObject({ kind: 'dead', code: 'header_mismatch', reason: expect.stringContaining('CallRinging') });
  });

  it('is dead-lettered when its type is unknown to the system', () => {
    const unknown = classifyMessage(message({ ...callEnded, type: 'CallTeleported' }, 'CallTeleported'), handling('CallEnded'));
    expect(unknown).toMatchObject({ kind: 'dead', code: 'unknown_event_type', reason: 'unknown event type CallTeleported' });
  });

  it('is dead-lettered naming the failing field when a handled type breaks its schema', () => {
    const broken = classifyMessage(message({ ...callEnded, data: { ...callEnded.data, duration: 'long' } }), handling('CallEnded'));
    expect(broken).toMatchObject({ kind: 'dead', code: 'invalid_event', reason: expect.stringContaining('duration') });
  });

  it('is dead-lettered when it claims a source that does not publish its type', () => {
    const forged = classifyMessage(message({ ...callEnded, source: 'identity' }), handling('CallEnded'));
    expect(forged).toMatchObject({ kind: 'dead', code: 'invalid_event', reason: 'CallEnded is published by calls, not identity' });
  });

  it('is dead-lettered when it arrives on a topic its source does not own, whatever source it claims', () => {
    // identity's user may write homeline.identity.v1: a "calls" event there did not come from calls.
    const onIdentityTopic = classifyMessage(message(callEnded), handling('CallEnded'), 'homeline.identity.v1');
    expect(onIdentityTopic).toMatchObject({ kind: 'dead', code: 'wrong_topic', reason: 'CallEnded from calls on homeline.identity.v1, which only identity publishes to' });
    expect(classifyMessage(message(callEnded), handling('CallEnded'), 'homeline.calls.v1')).toMatchObject({ kind: 'event' });
  });
});

describe('a dead letter', () => {
  it('keeps the original key, value and headers and says why, by whom and where it came from', () => {
    const original: KafkaMessage = { key: Buffer.from('call-1'), value: Buffer.from('x'), offset: '42', timestamp: '0',
      attributes: 0, headers: { [Headers.eventType]: Buffer.from('CallRequested') } };
    const source = { topic: 'homeline.calls.v1', partition: 2, consumerGroup: 'homeline-identity' };
    const letter = toDeadLetter(original, source, { code: 'not_json', reason: 'value is not JSON' });
    expect(letter).toEqual({
      key: original.key,
      value: original.value,
      headers: {
        [Headers.eventType]: original.headers?.[Headers.eventType],
        [Headers.dlqReason]: 'value is not JSON',
        [Headers.dlqReasonCode]: 'not_json',
        [Headers.dlqConsumerGroup]: 'homeline-identity',
        [Headers.dlqSourceTopic]: 'homeline.calls.v1',
        [Headers.dlqSourcePartition]: '2',
        [Headers.dlqSourceOffset]: '42',
      },
    });
  });
});
