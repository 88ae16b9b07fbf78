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
  | 'contact_already_exists';

/** A registry command that breaks an invariant; the edge maps `code` to a problem detail (404 / 409 / 422). */
export class HouseholdError extends Error {
  constructor(
    readonly code: HouseholdErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HouseholdError';
  }
}
