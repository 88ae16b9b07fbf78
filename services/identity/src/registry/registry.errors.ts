/**
 * Refusals that depend on more than one household (the domain's HouseholdError covers the
 * rest), and the HTTP status of every registry problem code.
 */
export class RegistryError extends Error {
  constructor(readonly code: 'msisdn_already_registered', message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

export const msisdnAlreadyRegistered = (msisdn: string) =>
  new RegistryError('msisdn_already_registered', `The line ${msisdn} already belongs to an account.`);

export const registryProblemStatus: Readonly<Record<string, number>> = {
  account_not_found: 404,
  member_not_found: 404,
  device_not_found: 404,
  account_already_exists: 409,
  msisdn_already_registered: 409,
  member_already_exists: 409,
  contact_already_exists: 409,
  device_already_linked: 409,
  last_owner: 409,
  invalid_public_key: 422,
  invalid_number: 422,
  invalid_voiceprint: 422,
};
