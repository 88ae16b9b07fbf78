import { z } from 'zod';
import { isoInstant } from '@homeline/contracts';
import type { CarrierStatusCallback, LegStatusCallback } from '../application/carrier.port';

/** A carrier's identifiers: printable ASCII, bounded (they are stored and used as keys). */
export const carrierId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** The body a carrier POSTs to /v1/carrier/status, checked after its signature. */
export const carrierStatusSchema: z.ZodType<CarrierStatusCallback> = z
  .object({
    carrierCallId: carrierId,
    /** Our leg; absent when the callback is about an inbound call the carrier offered. */
    legId: carrierId.optional(),
    status: z.enum(['ringing', 'answered', 'busy', 'no_answer', 'failed', 'completed', 'canceled']),
    // Stored as a PostgreSQL integer.
    sequence: z.number().int().nonnegative().max(2_147_483_647),
    sipCode: z.number().int().min(100).max(699).optional(),
    q850: z.number().int().min(0).max(127).optional(),
    occurredAt: isoInstant(),
  })
  .refine((body) => body.legId === undefined || body.status !== 'canceled', {
    message: 'canceled is the status of an inbound call (sent without legId): a leg ends as busy, no_answer, failed or completed',
    path: ['status'],
  });

export const isLegCallback = (callback: CarrierStatusCallback): callback is LegStatusCallback =>
  callback.legId !== undefined && callback.status !== 'canceled';

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

/** A callback without legId for a carrier call that is no inbound call of ours. */
export class UnknownCarrierCall extends Error {
  readonly code = 'unknown_carrier_call';
  readonly status = 404;
  constructor(carrierCallId: string) {
    super(`No inbound call with carrier call ${carrierCallId} is known here.`);
  }
}
