import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * The E.164 form of a number as a person writes it ("(555) 010-9999", "+44 20 7946 0018"),
 * read in the account's country; null when it cannot be a phone number there. `isPossible`
 * (length and shape) rather than `isValid` (allocated ranges), so fictional 555 numbers pass.
 */
export const toE164 = (raw: string, country: string): string | null => {
  const parsed = parsePhoneNumberFromString(raw, country.toUpperCase() as CountryCode);
  return parsed?.isPossible() ? parsed.number : null;
};
