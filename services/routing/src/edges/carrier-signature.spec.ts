import { signCarrierPayload, verifyCarrierSignature } from './carrier-signature';

describe('a carrier webhook signature', () => {
  const secret = 'test-secret';
  const body = '{"carrierCallId":"cc-1","status":"answered","sequence":2}';

  it('is accepted when the carrier signed this very body recently', () => {
    expect(verifyCarrierSignature(secret, signCarrierPayload(secret, body, 1000), body, 1010)).toEqual({ ok: true });
  });

  it('is accepted in upper-case hex, as some HMAC libraries write it', () => {
    const header = signCarrierPayload(secret, body, 1000).replace(/v1=([0-9a-f]+)/, (_, hex: string) => `v1=${hex.toUpperCase()}`);
    expect(header).toMatch(/v1=[0-9A-F]{64}$/);
    expect(verifyCarrierSignature(secret, header, body, 1010)).toEqual({ ok: true });
  });

  it('is refused when the body was altered after signing', () => {
    const header = signCarrierPayload(secret, body, 1000);
    expect(verifyCarrierSignature(secret, header, body.replace('answered', 'busy'), 1000)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('is refused when signed with another secret', () => {
    expect(verifyCarrierSignature(secret, signCarrierPayload('other', body, 1000), body, 1000)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('is refused when it is older than the tolerance, so a captured callback cannot be replayed later', () => {
    expect(verifyCarrierSignature(secret, signCarrierPayload(secret, body, 1000), body, 1000 + 301)).toEqual({
      ok: false,
      reason: 'stale_signature',
    });
  });

  it('is refused when missing or malformed', () => {
    expect(verifyCarrierSignature(secret, undefined, body, 1000)).toEqual({ ok: false, reason: 'missing_signature' });
    expect(verifyCarrierSignature(secret, 't=abc,v1=zz', body, 1000)).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
  });
});
