import type { RawBodyRequest } from '@nestjs/common';
import type { Clock } from '@homeline/event-store';
import type { Request } from 'express';
import { verifyCarrierSignature } from './carrier-signature';
import { InvalidCarrierSignature } from './carrier-status.schema';

/**
 * Every carrier webhook is authenticated the same way, before its fields are read: the HMAC of the
 * exact bytes received, fresh within 300 s (docs/architecture.md section 6). Throws a 401 problem
 * otherwise. The platform's body parser has by then refused a body that is not JSON
 * (docs/carrier-api.md, "Webhooks").
 */
export const authenticateCarrier = (
  request: RawBodyRequest<Request>,
  signature: string | undefined,
  secret: string,
  clock: Clock,
): void => {
  const rawBody = request.rawBody?.toString('utf8') ?? '';
  const nowSeconds = Math.floor(clock.now().getTime() / 1000);
  const check = verifyCarrierSignature(secret, signature, rawBody, nowSeconds);
  if (!check.ok) throw new InvalidCarrierSignature(check.reason);
};
