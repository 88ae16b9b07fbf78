import { z } from 'zod';

/**
 * Stable reason codes. Integrations match on these strings, so a code is never renamed or
 * reused for another meaning; new ones may be added.
 */

/** Why identity refused a voice assertion. */
export const speakerRejectionReasons = [
  'invalid_signature', // not signed by the linked device's key
  'unlinked_device', // the device is not linked to any account
  'assertion_mismatch', // purpose or subject differs from the request it came with
  'stale_assertion', // issuedAt outside the accepted window
  'replayed_assertion', // nonce seen before
  'low_liveness', // anti-spoof score below threshold
  'speaker_not_verified', // best score below threshold, or nobody enrolled
  'ambiguous_speaker', // runner-up too close to the best match
  'device_pending_approval', // the device is held until an owner approves linking it (docs/architecture.md section 6.2)
] as const;
export const speakerRejectionReasonSchema = z.enum(speakerRejectionReasons);
export type SpeakerRejectionReason = z.infer<typeof speakerRejectionReasonSchema>;

/** Why routing refused a destination. A speaker reason is passed through for a non-emergency target. */
export const destinationRejectionReasons = [
  'not_permitted', // the member's grants do not cover this destination
  'insufficient_assurance', // a risky destination needs a higher voice score than the speaker reached
  'destination_blocked', // the destination class is never routed (e.g. unroutable short code)
  'invalid_destination', // not a number that can be dialled
  'unknown_contact', // a spoken name matched none of the speaker's or household's contacts
  'ambiguous_contact', // a spoken name matched more than one contact
  'unknown_account', // routing holds no projection of the caller's account
  'away_mode', // an inbound call while Away Mode is on
  'quiet_hours', // an inbound call within a quiet-hours window
  'no_devices', // an inbound call to a line with no linked device
  'rate_limited', // over an outbound limit: per device, per account, a daily budget, or the line's concurrent calls (section 6.2)
] as const;

export const rejectionReasonSchema = z.enum([...speakerRejectionReasons, ...destinationRejectionReasons]);
export type RejectionReason = z.infer<typeof rejectionReasonSchema>;

/** Why nobody's answer was taken for a device ringing with an inbound call (docs/architecture.md section 6.1). */
export const answerRefusalReasons = [
  ...speakerRejectionReasons,
  'not_permitted', // the member may not answer this call (a guest; a child and a non-contact; a sensitive call)
  'insufficient_assurance', // a sensitive call needs the high thresholds
  'already_answered', // another device won
  'call_ended', // the call ended (caller hung up, nobody answered) before this answer
  'not_ringing', // this device was not asked to ring for the call
] as const;
export const answerRefusalReasonSchema = z.enum(answerRefusalReasons);
export type AnswerRefusalReason = z.infer<typeof answerRefusalReasonSchema>;

/** Why a device stopped ringing (`device_unlinked`: taken out of the household while it rang). */
export const ringCancellationReasons = ['answered_elsewhere', 'caller_hung_up', 'no_answer', 'call_ended', 'device_unlinked'] as const;
export const ringCancellationReasonSchema = z.enum(ringCancellationReasons);
export type RingCancellationReason = z.infer<typeof ringCancellationReasonSchema>;

/** Why a call that was allowed did not connect, or stopped before connecting. */
export const failureReasons = ['busy', 'no_answer', 'timeout', 'carrier_failed'] as const;
export const failureReasonSchema = z.enum(failureReasons);
export type FailureReason = z.infer<typeof failureReasonSchema>;

/** Why a call ended (after CallConnected, or a caller's hang-up before it). */
export const endCauses = ['hung_up', 'remote_hung_up', 'cancelled', 'caller_hung_up'] as const;
export const endCauseSchema = z.enum(endCauses);
export type EndCause = z.infer<typeof endCauseSchema>;

/** Any reason a call may show in `GET /v1/calls/:id`. */
export type CallReason = RejectionReason | FailureReason | EndCause;

/**
 * The SIP response and Q.850 cause the network gave when a leg ended (docs/carrier-api.md): the call
 * keeps its legs' codes (docs/architecture.md section 3). Optional: absent when the carrier gave
 * none, or on events from before they were kept.
 */
export const releaseCodesShape = {
  sipCode: z.number().int().optional(),
  q850: z.number().int().optional(),
};

export interface ReleaseCodes {
  readonly sipCode?: number;
  readonly q850?: number;
}

/** The codes something gives, and only those: an absent one stays absent in the event. */
export const releaseCodesOf = (given: ReleaseCodes): ReleaseCodes => ({
  ...(given.sipCode === undefined ? {} : { sipCode: given.sipCode }),
  ...(given.q850 === undefined ? {} : { q850: given.q850 }),
});
