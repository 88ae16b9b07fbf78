import { IdempotencyKeys, isIdempotencyKey } from './idempotency';

const order = {
  legId: 'leg-1',
  e164: '+12125550100',
  dispatchable: { address: { city: 'Springfield', line1: '742 Evergreen' } },
};

describe('idempotency keys', () => {
  it('replays the first answer to the same key, operation and body', () => {
    const keys = new IdempotencyKeys();
    expect(keys.check('place:leg-1', 'place', order, 0)).toEqual({ kind: 'new' });
    keys.remember('place:leg-1', 'place', order, { status: 201, body: { carrierCallId: 'sim-1' } }, 0);
    expect(keys.check('place:leg-1', 'place', order, 1000)).toEqual({
      kind: 'replay',
      response: { status: 201, body: { carrierCallId: 'sim-1' } },
    });
  });

  it('treats the same JSON in another key order as the same request (a body read back from jsonb)', () => {
    const keys = new IdempotencyKeys();
    keys.remember('k', 'place', order, { status: 201 }, 0);
    const reordered = {
      dispatchable: { address: { line1: '742 Evergreen', city: 'Springfield' } },
      e164: '+12125550100',
      legId: 'leg-1',
    };
    expect(keys.check('k', 'place', reordered, 0).kind).toBe('replay');
  });

  it('refuses the key for another body or another operation', () => {
    const keys = new IdempotencyKeys();
    keys.remember('k', 'place', order, { status: 201 }, 0);
    expect(keys.check('k', 'place', { ...order, e164: '+12125550199' }, 0)).toEqual({ kind: 'reused' });
    expect(keys.check('k', 'hangup', order, 0)).toEqual({ kind: 'reused' });
  });

  it('keeps no 5xx, so a request that failed at the carrier can be tried again, and forgets after its time', () => {
    const keys = new IdempotencyKeys(1000);
    keys.remember('failed', 'place', order, { status: 503 }, 0);
    expect(keys.check('failed', 'place', order, 0)).toEqual({ kind: 'new' });
    keys.remember('done', 'place', order, { status: 201 }, 0);
    expect(keys.check('done', 'place', order, 1001)).toEqual({ kind: 'new' });
  });

  it('forgets the oldest keys beyond its bound', () => {
    const keys = new IdempotencyKeys(60_000, 2);
    for (const key of ['a', 'b', 'c']) keys.remember(key, 'place', order, { status: 201 }, 0);
    expect(keys.check('a', 'place', order, 0).kind).toBe('new');
    expect(keys.check('c', 'place', order, 0).kind).toBe('replay');
  });

  it('accepts 1 to 255 printable ASCII characters as a key', () => {
    expect(isIdempotencyKey('place:7d1c8f1e-0c4b-4e0e-9d59-6f1f3c2a7b10')).toBe(true);
    expect(isIdempotencyKey(undefined)).toBe(false);
    expect(isIdempotencyKey('')).toBe(false);
    expect(isIdempotencyKey('with space')).toBe(false);
    expect(isIdempotencyKey('x'.repeat(256))).toBe(false);
  });
});
