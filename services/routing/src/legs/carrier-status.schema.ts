import { z } from 'zod';
import type { CarrierStatusCallback } from '../carrier/carrier.port';

/** The body a carrier POSTs to /v1/carrier/status, checked after its signature. */
export const carrierStatusSchema: z.ZodType<CarrierStatusCallback> = z.object({
  carrierCallId: z.string().min(1),
  legId: z.string().min(1),
  status: z.enum(['ringing', 'answered', 'busy', 'no_answer', 'failed', 'completed']),
  sequence: z.number().int().nonnegative(),
  sipCode: z.number().int().optional(),
  q850: z.number().int().optional(),
  occurredAt: z.iso.datetime({ offset: true }),
});

/** A callback the carrier did not sign with our secret (or signed too long ago). */
export class InvalidCarrierSignature extends Error {
  readonly code = 'invalid_carrier_signature';
  readonly status = 401;
  constructor(readonly reason: string) {
    super(`The carrier signature is not valid (${reason}).`);
  }
}

/** A callback for a leg routing never requested. */
export class UnknownCarrierLeg extends Error {
  readonly code = 'unknown_carrier_leg';
  readonly status = 404;
  constructor(legId: string) {
    super(`No carrier leg ${legId} is known here.`);
  }
}
