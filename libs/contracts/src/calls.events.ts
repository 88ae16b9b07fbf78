import { z } from 'zod';
import { endCauseSchema, failureReasonSchema, rejectionReasonSchema, speakerRejectionReasonSchema } from './reasons';
import { assuranceSchema, destinationClassSchema } from './destinations';
import { voiceAssertionSchema } from './voice-assertion';

/** Events of the Call aggregate, published on `homeline.calls.v1`; streamId = callId. */

const isoTime = z.iso.datetime({ offset: true });
const callId = z.string().min(1);

export const callRequestedSchema = z.object({
  callId,
  direction: z.enum(['outbound', 'inbound']),
  deviceId: z.string().min(1),
  /** A contact name ("Mom") or a dial string ("+1 555 010 9999", "911"), as the device sent it. */
  target: z.string().min(1),
  voice: voiceAssertionSchema,
  requestedAt: isoTime,
  /** When the call fails with `timeout` if identity has not answered. */
  deadline: isoTime,
});
export type CallRequested = z.infer<typeof callRequestedSchema>;

/**
 * The call was handed to routing. `verified: false` means identity refused the speaker with a
 * speaker-level reason; routing then places the call only if the target is an emergency number,
 * and otherwise refuses with `speakerRejection`.
 */
export const callRoutingSchema = z.object({
  callId,
  accountId: z.string().min(1),
  deviceId: z.string().min(1),
  target: z.string().min(1),
  verified: z.boolean(),
  memberId: z.string().min(1).nullable(),
  /** From SpeakerVerified; null when unverified. Risky destinations need `high`. */
  assurance: assuranceSchema.nullable(),
  speakerRejection: speakerRejectionReasonSchema.nullable(),
  deadline: isoTime,
});
export type CallRouting = z.infer<typeof callRoutingSchema>;

/** Routing chose a destination; the call waits for the carrier leg to ring. */
export const callRoutedSchema = z.object({
  callId,
  class: destinationClassSchema,
  e164: z.string().min(1),
  deadline: isoTime,
});
export type CallRouted = z.infer<typeof callRoutedSchema>;

/** The far end is ringing; the call waits for an answer. */
export const callRingingSchema = z.object({ callId, deadline: isoTime });
export type CallRinging = z.infer<typeof callRingingSchema>;

export const callConnectedSchema = z.object({
  callId,
  memberId: z.string().min(1).nullable(),
  deviceId: z.string().min(1),
  e164: z.string().min(1),
  connectedAt: isoTime,
});
export type CallConnected = z.infer<typeof callConnectedSchema>;

/** Routing releases the carrier leg when it sees this (or CallFailed) for a call with a leg up. */
export const callEndedSchema = z.object({
  callId,
  /** Seconds from CallConnected to the end; 0 for a call cancelled before it connected. */
  duration: z.number().nonnegative(),
  cause: endCauseSchema,
  endedAt: isoTime,
});
export type CallEnded = z.infer<typeof callEndedSchema>;

export const callRejectedSchema = z.object({ callId, reason: rejectionReasonSchema, rejectedAt: isoTime });
export type CallRejected = z.infer<typeof callRejectedSchema>;

export const callFailedSchema = z.object({
  callId,
  reason: failureReasonSchema,
  /** The waiting step whose deadline passed, for `timeout`. */
  stage: z.enum(['verification', 'routing', 'ringing', 'answer']).optional(),
  sipCode: z.number().int().optional(),
  q850: z.number().int().optional(),
  failedAt: isoTime,
});
export type CallFailed = z.infer<typeof callFailedSchema>;

export const callsEventSchemas = {
  CallRequested: callRequestedSchema,
  CallRouting: callRoutingSchema,
  CallRouted: callRoutedSchema,
  CallRinging: callRingingSchema,
  CallConnected: callConnectedSchema,
  CallEnded: callEndedSchema,
  CallRejected: callRejectedSchema,
  CallFailed: callFailedSchema,
} as const;
