import { isUuid } from '@homeline/contracts';
import { HouseholdError } from '../domain';

/**
 * Refusals that depend on more than one household (the domain's HouseholdError covers the
 * rest); the edge maps every code to its HTTP status.
 */
export class RegistryError extends Error {
  constructor(readonly code: 'msisdn_already_registered', message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

export const msisdnAlreadyRegistered = (msisdn: string) =>
  new RegistryError('msisdn_already_registered', `The line ${msisdn} already belongs to an account.`);

export const accountNotFound = (accountId: string) => new HouseholdError('account_not_found', `No account ${accountId}.`);

/** Account ids are UUIDs: anything else names no account, and never reaches the database. */
export const isAccountId = (accountId: string): boolean => isUuid(accountId);

/** Member and approval ids are UUIDs too (identity makes them): anything else names none, and never reaches the database. */
export const isIssuedId = (id: string): boolean => isUuid(id);
