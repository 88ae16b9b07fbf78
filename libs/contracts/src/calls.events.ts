import { z } from 'zod';
import { isoInstant } from './instant';
import { answerRefusalReasonSchema, endCauseSchema, failureReasonSchema, rejectionReasonSchema, releaseCodesShape, speakerRejectionReasonSchema } from './reasons';
import { assuranceSchema, destinationClassSchema } from './destinations';
import { voiceAssertionSchema } from './voice-assertion';

/** Events of the Call aggregate, published on `homeline.calls.v1`; streamId = callId. */

const isoTime = isoInstant();
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
  /** The device that placed (outbound) or answered (inbound) the call. */
  deviceId: z.string().min(1),
  /** The far end: the destination, or the caller of an inbound call. */
  e164: z.string().min(1),
  connectedAt: isoTime,
  /** Absent on outbound calls of older events. */
  direction: z.enum(['outbound', 'inbound']).optional(),
});
export type CallConnected = z.infer<typeof callConnectedSchema>;

/** Routing releases the carrier leg when it sees this (or CallFailed) for a call with a leg up. */
export const callEndedSchema = z.object({
  callId,
  /** Seconds from CallConnected to the end; 0 for a call cancelled before it connected. */
  duration: z.number().nonnegative(),
  cause: endCauseSchema,
  endedAt: isoTime,
  /** The far end's release, as the carrier reported it (a hang-up of ours has none). */
  ...releaseCodesShape,
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

/**
 * An emergency call's carrier leg failed (busy, no answer, the carrier's own failure): instead of
 * failing the call, calls asks routing to dial it again on a new leg, at most twice
 * (docs/architecture.md section 1: emergency calls always connect). The call waits for the new
 * leg to ring until `deadline`.
 */
export const emergencyRedialRequestedSchema = z.object({
  callId,
  /** 1 for the first redial. */
  attempt: z.number().int().positive(),
  /** Why the leg before failed, as routing reported it. */
  reason: failureReasonSchema,
  sipCode: z.number().int().optional(),
  q850: z.number().int().optional(),
  deadline: isoTime,
});
export type EmergencyRedialRequested = z.infer<typeof emergencyRedialRequestedSchema>;

/**
 * An inbound call opened from routing's InboundCallOffered: the listed devices ring until one
 * verified answer wins or the ring deadline passes (docs/architecture.md section 6.1).
 */
export const callOfferedSchema = z.object({
  callId,
  accountId: z.string().min(1),
  from: z.string().min(1),
  callerName: z.string().nullable(),
  fromContact: z.boolean(),
  sensitive: z.boolean(),
  devices: z.array(z.string().min(1)),
  /**
   * The call may be the emergency services calling back (routing's InboundCallOffered): any member
   * of the household may answer it, whatever their grants. Absent in calls offered before it existed.
   */
  emergencyCallback: z.boolean().optional(),
  offeredAt: isoTime,
  /** When the call fails with `no_answer`. */
  deadline: isoTime,
});
export type CallOffered = z.infer<typeof callOfferedSchema>;

/** A device asks to answer; identity verifies the voice and who may answer (AnswerAuthorized / AnswerRefused). */
export const answerRequestedSchema = z.object({
  callId,
  /** One answer attempt; identity's decision names it. */
  answerId: z.string().min(1),
  accountId: z.string().min(1),
  deviceId: z.string().min(1),
  voice: voiceAssertionSchema,
  requestedAt: isoTime,
  from: z.string().min(1),
  fromContact: z.boolean(),
  sensitive: z.boolean(),
  /** As its CallOffered says: any verified member of the household may answer. */
  emergencyCallback: z.boolean().optional(),
});
export type AnswerRequested = z.infer<typeof answerRequestedSchema>;

/** A device's answer was not taken; the others keep ringing. */
export const callAnswerRefusedSchema = z.object({
  callId,
  answerId: z.string().min(1),
  deviceId: z.string().min(1),
  reason: answerRefusalReasonSchema,
  refusedAt: isoTime,
});
export type CallAnswerRefused = z.infer<typeof callAnswerRefusedSchema>;

export const callsEventSchemas = {
  CallRequested: callRequestedSchema,
  CallRouting: callRoutingSchema,
  CallRouted: callRoutedSchema,
  CallRinging: callRingingSchema,
  CallConnected: callConnectedSchema,
  CallEnded: callEndedSchema,
  CallRejected: callRejectedSchema,
  CallFailed: callFailedSchema,
  EmergencyRedialRequested: emergencyRedialRequestedSchema,
  CallOffered: callOfferedSchema,
  AnswerRequested: answerRequestedSchema,
  CallAnswerRefused: callAnswerRefusedSchema,
} as const;
