import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Carrier webhooks are signed like Stripe's: `X-Carrier-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`
 * over `${t}.${rawBody}`. The timestamp bounds replays; the comparison is constant-time.
 */
export const carrierSignatureHeader = 'x-carrier-signature';

export const signCarrierPayload = (secret: string, rawBody: string, nowSeconds: number): string =>
  `t=${nowSeconds},v1=${createHmac('sha256', secret).update(`${nowSeconds}.${rawBody}`).digest('hex')}`;

export type SignatureCheck =
  | { ok: true }
  | { ok: false; reason: 'missing_signature' | 'malformed_signature' | 'stale_signature' | 'bad_signature' };

export const verifyCarrierSignature = (
  secret: string,
  header: string | undefined,
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): SignatureCheck => {
  if (!header) return { ok: false, reason: 'missing_signature' };
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !/^[0-9a-fA-F]{64}$/.test(parts.v1 ?? ''))
    return { ok: false, reason: 'malformed_signature' };
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return { ok: false, reason: 'stale_signature' };
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return timingSafeEqual(expected, Buffer.from(parts.v1, 'hex'))
    ? { ok: true }
    : { ok: false, reason: 'bad_signature' };
};
