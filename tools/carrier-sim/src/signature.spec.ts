import { createHmac } from 'node:crypto';
import { sign, verify } from './signature';

const secret = 'a-carrier-api-secret-for-tests';
const body = '{"legId":"leg-1"}';
const now = 1_767_000_000;

describe('the carrier signature (docs/carrier-api.md, "Authentication")', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">', () => {
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(sign(secret, body, now)).toBe(`t=${now},v1=${expected}`);
  });

  it('accepts a fresh signature of the exact bytes, up to 300 s either way', () => {
    expect(verify(secret, sign(secret, body, now), body, now)).toBeNull();
    expect(verify(secret, sign(secret, body, now - 300), body, now)).toBeNull();
    expect(verify(secret, sign(secret, body, now + 300), body, now)).toBeNull();
  });

  it('refuses an older one as stale, and a missing or malformed header', () => {
    expect(verify(secret, sign(secret, body, now - 301), body, now)).toBe('stale_signature');
    expect(verify(secret, undefined, body, now)).toBe('missing_signature');
    expect(verify(secret, 'v1=abc,t=1', body, now)).toBe('malformed_signature');
    expect(verify(secret, `t=${now},v1=${'0'.repeat(63)}`, body, now)).toBe('malformed_signature');
  });

  it('refuses another body, another secret, or a signature moved to another time', () => {
    const header = sign(secret, body, now);
    expect(verify(secret, header, '{"legId":"leg-2"}', now)).toBe('bad_signature');
    expect(verify('another-secret-of-sixteen', header, body, now)).toBe('bad_signature');
    expect(verify(secret, header.replace(`t=${now}`, `t=${now - 1}`), body, now)).toBe('bad_signature');
  });
});
