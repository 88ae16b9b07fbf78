import { emergencyNumberFor } from '@homeline/contracts';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Household } from './household';
import type { AddContact } from './household.commands';
import { HouseholdError } from './household.errors';
import type { HouseholdEvent } from './household.events';

/**
 * A number as typed ("(212) 555-0123", "+44 20 7946 0018"), in E.164 for the account's country.
 * "Possible" for libphonenumber can still be longer than E.164's 15 digits (+49 30 1234567890123).
 */
export const toE164 = (number: string, country: string): string => {
  const parsed = parsePhoneNumberFromString(number, country as CountryCode);
  if (!parsed?.isPossible()) throw new HouseholdError('invalid_number', `${number} is not a phone number`);
  if (!/^\+[1-9]\d{1,14}$/.test(parsed.number)) throw new HouseholdError('invalid_number', `${number} has more digits than a phone number may (15)`);
  return parsed.number;
};

/**
 * Routing checks for an emergency call before it looks at contacts, but a contact that looks like
 * one ("nine one one" routed to a premium line, a "Police" that is not the police) is a trap for
 * whoever reads the list, and a number that is an emergency number is no contact: both refused.
 */
const refuseEmergencyShadow = (c: AddContact, country: string): void => {
  const shadowing = [c.name, ...c.aliases].find((said) => emergencyNumberFor(said, country) !== null);
  if (shadowing !== undefined) {
    throw new HouseholdError('shadows_emergency_number', `"${shadowing}" means the emergency number ${emergencyNumberFor(shadowing, country)} in ${country}: no contact may be called so`);
  }
  const emergency = emergencyNumberFor(c.number, country);
  if (emergency !== null) throw new HouseholdError('shadows_emergency_number', `${c.number} is the emergency number ${emergency} in ${country}: it cannot be a contact`);
};

export const addContact = (c: AddContact, h: Household): HouseholdEvent[] => {
  if (h.contactIds.includes(c.contactId))
    throw new HouseholdError('contact_already_exists', `contact ${c.contactId} already exists`);
  if (c.memberId !== null && !Object.hasOwn(h.members, c.memberId)) {
    throw new HouseholdError('member_not_found', `member ${c.memberId} is not in account ${h.accountId}`);
  }
  refuseEmergencyShadow(c, h.address.country);
  const e164 = toE164(c.number, h.address.country);
  const { contactId, name, memberId, sensitive } = c;
  return [
    {
      type: 'ContactAdded',
      data: { accountId: h.accountId, contactId, name, aliases: [...c.aliases], e164, memberId, sensitive },
    },
  ];
};

