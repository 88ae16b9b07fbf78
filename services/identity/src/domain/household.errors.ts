export type HouseholdErrorCode =
  | 'account_not_found'
  | 'account_already_exists'
  | 'member_not_found'
  | 'member_already_exists'
  | 'last_owner'
  | 'device_not_found'
  | 'device_already_linked'
  | 'invalid_public_key'
  | 'invalid_number'
  | 'invalid_voiceprint'
  | 'contact_already_exists'
  | 'shadows_emergency_number'
  | 'unsupported_country'
  | 'too_many_voiceprints'
  | 'voiceprint_not_found'
  | 'until_in_past'
  | 'until_out_of_range'
  | 'invalid_quiet_hours'
  | 'member_not_owner'
  | 'approver_already_registered'
  | 'awaiting_approval'
  | 'approval_not_found'
  | 'unknown_approver'
  | 'invalid_approval_signature'
  | 'stale_approval_signature'
  | 'approval_already_decided'
  | 'approval_expired'
  | 'approval_outdated'
  | 'member_is_approver'
  | 'approver_not_found'
  | 'last_approver'
  | 'own_removal'
  | 'no_approver';

/** The member has no (such) voiceprint: the decider's refusal, and identity's voiceprints table's for a print enrolled before events named it. */
export const voiceprintNotFound = (memberId: string, voiceprintId: string): HouseholdError =>
  new HouseholdError('voiceprint_not_found', `member ${memberId} has no voiceprint ${voiceprintId}`);

/** A registry command that breaks an invariant; the edge maps `code` to a problem detail (400 / 404 / 409 / 422). */
export class HouseholdError extends Error {
  constructor(
    readonly code: HouseholdErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HouseholdError';
  }
}
