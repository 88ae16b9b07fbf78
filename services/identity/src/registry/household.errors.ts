/**
 * Broken invariants of the household registry. Each has a stable `code` that integrations
 * match on; `registryProblemStatus` says which HTTP status the problem details carry.
 */
export class RegistryError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

export const accountNotFound = (accountId?: string) =>
  new RegistryError('account_not_found', accountId ? `No account ${accountId}.` : 'No such account.');
export const accountAlreadyOpened = (accountId: string) => new RegistryError('account_already_opened', `Account ${accountId} is already open.`);
export const msisdnAlreadyRegistered = (msisdn: string) =>
  new RegistryError('msisdn_already_registered', `The line ${msisdn} already belongs to an account.`);
export const memberNotFound = (memberId: string) => new RegistryError('member_not_found', `No member ${memberId} in this household.`);
export const deviceNotFound = (deviceId: string) => new RegistryError('device_not_found', `No device ${deviceId} is linked to this household.`);
export const deviceAlreadyLinked = (deviceId: string) =>
  new RegistryError('device_already_linked', `Device ${deviceId} is already linked; unlink it first.`);
export const invalidPublicKey = () =>
  new RegistryError('invalid_public_key', 'publicKey must be an Ed25519 public key: base64 of its raw 32 bytes.');
export const invalidPhoneNumber = (field: string, value: string) =>
  new RegistryError('invalid_phone_number', `${field} "${value}" is not a phone number that can be dialled.`);

export const registryProblemStatus: Readonly<Record<string, number>> = {
  account_not_found: 404,
  member_not_found: 404,
  device_not_found: 404,
  account_already_opened: 409,
  msisdn_already_registered: 409,
  device_already_linked: 409,
  invalid_public_key: 422,
  invalid_phone_number: 422,
};
