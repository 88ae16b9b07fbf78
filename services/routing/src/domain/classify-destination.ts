import { PhoneNumberUtil, ShortNumberInfo, type RegionCode } from 'google-libphonenumber';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { DestinationClass } from '@homeline/contracts';

export type Classification =
  | { readonly ok: true; readonly class: DestinationClass; readonly e164: string }
  | { readonly ok: false; readonly reason: 'invalid_destination' };

const phoneUtil = PhoneNumberUtil.getInstance();
const shortNumbers = ShortNumberInfo.getInstance();

/** Keeps what a person types into a dial string and means nothing: spaces, dots, dashes, brackets. */
const dialCharacters = /^[+\d\s().\-/]+$/;
export const looksDialable = (target: string): boolean =>
  dialCharacters.test(target.trim()) && /\d{2}/.test(target.replace(/\D/g, ''));

/**
 * Emergency and short numbers (911, 112, 999, 000; 411, 311, 988...) exist only for the
 * country they are dialled in. libphonenumber-js carries no short-number metadata, so this part
 * uses Google's ShortNumberInfo (google-libphonenumber), which has it for every region.
 */
const classifyShort = (digits: string, country: RegionCode): Classification | null => {
  if (digits.length < 2 || digits.length > 8) return null;
  if (shortNumbers.isEmergencyNumber(digits, country)) return { ok: true, class: 'emergency', e164: digits };
  const parsed = phoneUtil.parse(digits, country);
  if (shortNumbers.isPossibleShortNumberForRegion(parsed, country) && !isRegularNumber(digits, country)) {
    return { ok: true, class: 'short_code', e164: digits };
  }
  return null;
};

const isRegularNumber = (digits: string, country: string): boolean =>
  parsePhoneNumberFromString(digits, country as CountryCode)?.isPossible() ?? false;

/**
 * Regular numbers through libphonenumber-js (max metadata, for number types). A valid number
 * is international when its country is not the account's, premium when typed PREMIUM_RATE.
 * A number that is only "possible" (e.g. the fictional +1 555 range the demo uses) cannot be
 * typed, so only its calling code decides between domestic and international.
 */
const classifyRegular = (dialString: string, country: CountryCode): Classification => {
  const number = parsePhoneNumberFromString(dialString, country);
  if (!number || !number.isPossible()) return { ok: false, reason: 'invalid_destination' };
  const e164 = number.number;
  if (!number.isValid()) {
    const sameCallingCode = number.countryCallingCode === String(phoneUtil.getCountryCodeForRegion(country));
    return { ok: true, class: sameCallingCode ? 'domestic' : 'international', e164 };
  }
  if (number.country !== country) return { ok: true, class: 'international', e164 };
  if (number.getType() === 'PREMIUM_RATE') return { ok: true, class: 'premium', e164 };
  return { ok: true, class: 'domestic', e164 };
};

/**
 * What a dial string is, seen from an account in `accountCountry` (ISO 3166-1 alpha-2):
 * emergency, short_code (N11 and other short numbers), premium, international or domestic,
 * with the number to hand the carrier (E.164, or the short number's digits).
 */
export const classifyDestination = (dialString: string, accountCountry: string): Classification => {
  if (!looksDialable(dialString)) return { ok: false, reason: 'invalid_destination' };
  const country = accountCountry.toUpperCase();
  const trimmed = dialString.trim();
  if (!trimmed.startsWith('+')) {
    const short = classifyShort(trimmed.replace(/\D/g, ''), country as RegionCode);
    if (short) return short;
  }
  return classifyRegular(trimmed, country as CountryCode);
};
