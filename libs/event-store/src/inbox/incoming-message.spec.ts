import { envelopeSchema, Headers } from '@homeline/contracts';
import type { KafkaMessage } from 'kafkajs';
import { parseMessage, toDeadLetter } from './incoming-message';

const envelope = {
  id: '6f1c1e0e-8a4b-4a0e-9a43-2d1f1c9f0b11', type: 'CallRequested', source: 'calls', streamId: 'call-1',
  streamVersion: 1, occurredAt: '2026-11-24T18:00:00.000Z', correlationId: 'call-1', causationId: null,
  accountId: 'acct-1', data: { deviceId: 'd-1' },
};
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('an incoming message', () => {
  it('is accepted when its value is a valid envelope', () => {
    expect(parseMessage(bytes(envelope), envelopeSchema)).toEqual({ ok: true, event: envelope });
  });

  it('is rejected with the reason when it is not JSON', () => {
    const parsed = parseMessage(bytes('{not json'), envelopeSchema);
    expect(parsed).toMatchObject({ ok: false, reason: expect.stringMatching(/^value is not JSON/) });
  });

  it('is rejected naming the failing field when it breaks the schema', () => {
    const parsed = parseMessage(bytes({ ...envelope, streamVersion: 'one' }), envelopeSchema);
    expect(parsed).toMatchObject({ ok: false, reason: expect.stringContaining('streamVersion') });
  });

  it('is rejected when it has no value', () => {
    expect(parseMessage(null, envelopeSchema)).toEqual({ ok: false, reason: 'empty message value' });
  });
});

describe('a dead letter', () => {
  it('keeps the original key, value and headers and says why and where it came from', () => {
    const original: KafkaMessage = { key: Buffer.from('call-1'), value: Buffer.from('x'), offset: '42', timestamp: '0',
      attributes: 0, headers: { [Headers.eventType]: Buffer.from('CallRequested') } };
    const letter = toDeadLetter(original, { topic: 'homeline.calls.v1', partition: 2 }, 'value is not JSON');
    expect(letter).toEqual({
      key: original.key,
      value: original.value,
      headers: {
        [Headers.eventType]: original.headers?.[Headers.eventType],
        [Headers.dlqReason]: 'value is not JSON',
        [Headers.dlqSourceTopic]: 'homeline.calls.v1',
        [Headers.dlqSourcePartition]: '2',
        [Headers.dlqSourceOffset]: '42',
      },
    });
  });
});
