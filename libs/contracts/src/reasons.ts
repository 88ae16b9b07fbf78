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
  'away_mode',
  'quiet_hours',
] as const;

export const rejectionReasonSchema = z.enum([...speakerRejectionReasons, ...destinationRejectionReasons]);
export type RejectionReason = z.infer<typeof rejectionReasonSchema>;

/** Why a call that was allowed did not connect, or stopped before connecting. */
export const failureReasons = ['busy', 'no_answer', 'timeout', 'carrier_failed'] as const;
export const failureReasonSchema = z.enum(failureReasons);
export type FailureReason = z.infer<typeof failureReasonSchema>;

/** Why a call ended (after CallConnected, or a caller's hang-up before it). */
export const endCauses = ['hung_up', 'remote_hung_up', 'cancelled'] as const;
export const endCauseSchema = z.enum(endCauses);
export type EndCause = z.infer<typeof endCauseSchema>;

/** Any reason a call may show in `GET /v1/calls/:id`. */
export type CallReason = RejectionReason | FailureReason | EndCause;
