import { z } from 'zod';
import { isoInstant } from './instant';
import { destinationClassSchema } from './destinations';
import { addressSchema, deviceLocationSchema } from './identity.events';
import { rejectionReasonSchema, releaseCodesShape, ringCancellationReasonSchema } from './reasons';

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

export const carrierLegAnsweredSchema = z.object({ ...legRef, answeredAt: isoInstant() });
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
  /** As the carrier reported the far end's release (`completed`). */
  ...releaseCodesShape,
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

const e164 = z.string().regex(/^\+[1-9]\d{1,14}$/);
const callerNumber = z.string().regex(/^\+?\d{2,15}$|^anonymous$/);

/**
 * The carrier offers a call to the account's line (POST /v1/carrier/inbound). Routing decided at
 * once which devices ring (`devices`, each also a DeviceRingRequested) — none when policy declines
 * the call (InboundCallDeclined follows). Stream `inbound-<callId>`.
 */
export const inboundCallOfferedSchema = z.object({
  callId: id,
  accountId: id,
  carrierCallId: id,
  from: callerNumber,
  to: e164,
  /** The carrier's flag, or `from` is a contact marked sensitive (a bank, a one-time-password sender). */
  sensitive: z.boolean(),
  /** The household contact whose number `from` is. */
  callerName: z.string().nullable(),
  /** `from` is one of the household's contacts (a child may answer only those). */
  fromContact: z.boolean(),
  /** The devices asked to ring. */
  devices: z.array(id),
  /** An emergency call-back: the household called emergency services within the window, so everything rings. */
  emergencyCallback: z.boolean(),
});
export type InboundCallOffered = z.infer<typeof inboundCallOfferedSchema>;

/** Policy declined the offered call: nothing rings, the carrier sends the caller to voicemail. */
export const inboundCallDeclinedSchema = z.object({ callId: id, accountId: id, reason: z.enum(['away_mode', 'quiet_hours', 'no_devices']) });
export type InboundCallDeclined = z.infer<typeof inboundCallDeclinedSchema>;

/** For the device cloud: ring this device (docs/architecture.md section 6.1). */
export const deviceRingRequestedSchema = z.object({
  callId: id,
  deviceId: id,
  from: callerNumber,
  callerName: z.string().nullable().optional(),
  sensitive: z.boolean(),
});
export type DeviceRingRequested = z.infer<typeof deviceRingRequestedSchema>;

/** For the device cloud: stop ringing this device. */
export const deviceRingCancelledSchema = z.object({ callId: id, deviceId: id, reason: ringCancellationReasonSchema });
export type DeviceRingCancelled = z.infer<typeof deviceRingCancelledSchema>;

/**
 * The caller hung up: before anyone answered (carrier status `canceled` on the inbound call), or
 * after the bridge (`completed`); or the carrier would not bridge the caller to the device that
 * answered, and routing released the caller. calls ends the call (caller_hung_up, or remote_hung_up
 * once connected).
 */
export const inboundCallAbandonedSchema = z.object({ callId: id, carrierCallId: id, ...releaseCodesShape });
export type InboundCallAbandoned = z.infer<typeof inboundCallAbandonedSchema>;

/**
 * The device whose answer calls connected (CallConnected, direction inbound) takes the call: routing
 * asked the carrier to bridge the caller to it. Recorded so routing knows which device is in the call
 * and never cancels its ring, or bridges the call, a second time.
 */
export const inboundCallBridgedSchema = z.object({ callId: id, carrierCallId: id, deviceId: id });
export type InboundCallBridged = z.infer<typeof inboundCallBridgedSchema>;

export const routingEventSchemas = {
  DestinationResolved: destinationResolvedSchema,
  DestinationRejected: destinationRejectedSchema,
  CarrierLegRequested: carrierLegRequestedSchema,
  CarrierLegRinging: carrierLegRingingSchema,
  CarrierLegAnswered: carrierLegAnsweredSchema,
  CarrierLegFailed: carrierLegFailedSchema,
  CarrierLegEnded: carrierLegEndedSchema,
  EmergencyOwnerNotified: emergencyOwnerNotifiedSchema,
  InboundCallOffered: inboundCallOfferedSchema,
  InboundCallDeclined: inboundCallDeclinedSchema,
  DeviceRingRequested: deviceRingRequestedSchema,
  DeviceRingCancelled: deviceRingCancelledSchema,
  InboundCallAbandoned: inboundCallAbandonedSchema,
  InboundCallBridged: inboundCallBridgedSchema,
} as const;
