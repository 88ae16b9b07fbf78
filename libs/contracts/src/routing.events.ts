import { z } from 'zod';
import { destinationClassSchema } from './destinations';
import { addressSchema, deviceLocationSchema } from './identity.events';
import { rejectionReasonSchema } from './reasons';

/** Events routing publishes on `homeline.routing.v1`; streamId = callId. */

const id = z.string().min(1);
/** E.164 for routable numbers; for emergency numbers and short codes, the digits as dialled ("911"). */
const dialledNumber = z.string().regex(/^\+?\d{2,15}$/);

export const destinationResolvedSchema = z.object({
  callId: id,
  accountId: id,
  class: destinationClassSchema,
  e164: dialledNumber,
  /** The contact the target resolved through, when it did. */
  viaContact: z.object({ contactId: id, name: z.string(), household: z.boolean() }).nullable(),
});
export type DestinationResolved = z.infer<typeof destinationResolvedSchema>;

export const destinationRejectedSchema = z.object({
  callId: id,
  reason: rejectionReasonSchema,
  class: destinationClassSchema.optional(),
});
export type DestinationRejected = z.infer<typeof destinationRejectedSchema>;

export const carrierLegRequestedSchema = z.object({
  callId: id,
  legId: id,
  e164: dialledNumber,
  /** The account's line, presented as the caller. */
  callerId: z.string(),
  emergency: z.boolean(),
  /** Dispatchable location; present on emergency legs. */
  address: addressSchema.optional(),
  location: deviceLocationSchema.nullable().optional(),
});
export type CarrierLegRequested = z.infer<typeof carrierLegRequestedSchema>;

const legRef = { callId: id, legId: id, carrierCallId: id };
/** A leg may fail or be released before any carrier callback named the carrier's call. */
const maybeOnCarrier = { callId: id, legId: id, carrierCallId: id.nullable() };

export const carrierLegRingingSchema = z.object({ ...legRef });
export type CarrierLegRinging = z.infer<typeof carrierLegRingingSchema>;

export const carrierLegAnsweredSchema = z.object({ ...legRef, answeredAt: z.iso.datetime({ offset: true }) });
export type CarrierLegAnswered = z.infer<typeof carrierLegAnsweredSchema>;

export const carrierLegFailedSchema = z.object({
  ...maybeOnCarrier,
  reason: z.enum(['busy', 'no_answer', 'failed']),
  sipCode: z.number().int(),
  q850: z.number().int(),
});
export type CarrierLegFailed = z.infer<typeof carrierLegFailedSchema>;

export const carrierLegEndedSchema = z.object({
  ...maybeOnCarrier,
  /** Seconds the leg was answered, as the carrier reports it. */
  duration: z.number().nonnegative(),
  /** Who released the leg: the far end, or us on the caller's hang-up. */
  releasedBy: z.enum(['remote', 'local']),
});
export type CarrierLegEnded = z.infer<typeof carrierLegEndedSchema>;

export const emergencyOwnerNotifiedSchema = z.object({
  callId: id,
  accountId: id,
  ownerMemberId: id,
  e164: dialledNumber,
  address: addressSchema,
  location: deviceLocationSchema.nullable(),
});
export type EmergencyOwnerNotified = z.infer<typeof emergencyOwnerNotifiedSchema>;

export const routingEventSchemas = {
  DestinationResolved: destinationResolvedSchema,
  DestinationRejected: destinationRejectedSchema,
  CarrierLegRequested: carrierLegRequestedSchema,
  CarrierLegRinging: carrierLegRingingSchema,
  CarrierLegAnswered: carrierLegAnsweredSchema,
  CarrierLegFailed: carrierLegFailedSchema,
  CarrierLegEnded: carrierLegEndedSchema,
  EmergencyOwnerNotified: emergencyOwnerNotifiedSchema,
} as const;
