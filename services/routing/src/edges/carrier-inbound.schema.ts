import { z } from 'zod';
import { carrierId } from './carrier-status.schema';

const e164 = z.string().regex(/^\+[1-9]\d{1,14}$/, 'E.164, e.g. +15550100123');

/** The body a carrier POSTs to /v1/carrier/inbound (docs/architecture.md section 6.1), checked after its signature. */
export const carrierInboundSchema = z.object({
  carrierCallId: carrierId,
  /** The caller: E.164, or 'anonymous' when the number is withheld. */
  from: z.union([e164, z.literal('anonymous')], { error: "E.164, e.g. +15550100123, or 'anonymous'" }),
  /** The account's line. */
  to: e164,
  /** The carrier's flag: a bank's verification line, a one-time-password sender. */
  sensitive: z.boolean().optional(),
});
export type CarrierInbound = z.infer<typeof carrierInboundSchema>;

/** An inbound call to a number that is no account's line. */
export class UnknownLine extends Error {
  readonly code = 'unknown_line';
  readonly status = 404;
  constructor(to: string) {
    super(`No account has the line ${to}.`);
  }
}

/** The carrier call id already names an outbound leg of ours: the carrier reused it, or the webhook is not what it says. */
export class CarrierCallInUse extends Error {
  readonly code = 'carrier_call_in_use';
  readonly status = 409;
  constructor(carrierCallId: string) {
    super(`The carrier call ${carrierCallId} is an outbound leg here, not an inbound call.`);
  }
}
