import { randomUUID } from 'node:crypto';
import { consumedEventSchema } from './consumed-event';

const envelope = (type: string, data: Record<string, unknown>) => ({
  id: randomUUID(),
  type,
  source: 'calls',
  streamId: 'call-1',
  streamVersion: 1,
  occurredAt: '2026-11-24T18:00:00Z',
  correlationId: 'call-1',
  causationId: null,
  accountId: 'acc-1',
  data,
});

describe('what a routing consumer accepts', () => {
  const schema = consumedEventSchema(['CallEnded'] as const);

  it('passes an event it handles, validated against its contract', () => {
    const event = envelope('CallEnded', {
      callId: 'call-1',
      duration: 4,
      cause: 'hung_up',
      endedAt: '2026-11-24T18:00:04Z',
    });
    expect(schema.parse(event)).toMatchObject({ type: 'CallEnded', data: { duration: 4 } });
  });

  it('lets an event of another type through as ignored, so it is never dead-lettered', () => {
    const event = envelope('CallRinging', { whatever: true });
    expect(schema.parse(event)).toEqual({ id: event.id, type: 'ignored' });
  });

  it('refuses an event it handles whose data breaks the contract, saying why', () => {
    const result = schema.safeParse(envelope('CallEnded', { callId: 'call-1', cause: 'vanished' }));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toMatch(/CallEnded: .*cause/);
  });

  it('refuses a message that is not an envelope', () => {
    expect(schema.safeParse({ hello: 'world' }).success).toBe(false);
  });
});
