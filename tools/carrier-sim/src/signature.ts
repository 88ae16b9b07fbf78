import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of docs/carrier-api.md, both ways: `X-Carrier-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<raw body>">`. Written here from the document rather than imported from
 * routing, so the simulator is a second, independent implementation of the wire format: a routing
 * that drifted from the document would fail against it.
 */
export const signatureHeader = 'x-carrier-signature';

/** How far a signature's timestamp may be from now, either way. */
export const signatureToleranceSeconds = 300;

export type SignatureProblem = 'missing_signature' | 'malformed_signature' | 'stale_signature' | 'bad_signature';

const hmac = (secret: string, t: number, rawBody: string): Buffer =>
  createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();

export const sign = (secret: string, rawBody: string, nowSeconds: number): string =>
  `t=${nowSeconds},v1=${hmac(secret, nowSeconds, rawBody).toString('hex')}`;

/** null when the header is a fresh signature of these exact bytes with this secret. */
export const verify = (
  secret: string,
  header: string | undefined,
  rawBody: string,
  nowSeconds: number,
): SignatureProblem | null => {
  if (!header) return 'missing_signature';
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header.trim());
  if (!match) return 'malformed_signature';
  const t = Number(match[1]);
  if (Math.abs(nowSeconds - t) > signatureToleranceSeconds) return 'stale_signature';
  return timingSafeEqual(hmac(secret, t, rawBody), Buffer.from(match[2], 'hex')) ? null : 'bad_signature';
};
