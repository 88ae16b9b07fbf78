import type { DestinationClass } from '@homeline/contracts';
import { PhoneNumberUtil, ShortNumberInfo } from 'google-libphonenumber';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { DirectoryContact } from '../directory/directory.reads';

/**
 * PROVISIONAL: the seam to routing's domain (classifyDestination, resolveTarget), written
 * while services/routing/src/domain is being built on its own branch.
 */
export type DialledTarget =
  | { readonly kind: 'number'; readonly class: DestinationClass; readonly e164: string }
  | { readonly kind: 'blocked' }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'name' };

const shortNumbers = ShortNumberInfo.getInstance();
const phoneUtil = PhoneNumberUtil.getInstance();

export const classifyDialString = (target: string, country: string): DialledTarget => {
  const region = country as never;
  const digits = target.replace(/[\s().-]/g, '');
  if (!/^\+?\d+$/.test(digits)) return { kind: 'name' };
  if (!digits.startsWith('+') && digits.length <= 6) {
    if (shortNumbers.isEmergencyNumber(digits, region)) return { kind: 'number', class: 'emergency', e164: digits };
    const short = phoneUtil.parse(digits, region);
    return shortNumbers.isValidShortNumberForRegion(short, region) ? { kind: 'number', class: 'short_code', e164: digits } : { kind: 'blocked' };
  }
  const parsed = parsePhoneNumberFromString(digits, region);
  if (!parsed || !parsed.isPossible()) return { kind: 'invalid' };
  if (parsed.country && parsed.country !== country) return { kind: 'number', class: 'international', e164: parsed.number };
  if (parsed.getType() === 'PREMIUM_RATE') return { kind: 'number', class: 'premium', e164: parsed.number };
  return { kind: 'number', class: 'domestic', e164: parsed.number };
};

export type ContactMatch =
  | { readonly kind: 'one'; readonly contact: DirectoryContact }
  | { readonly kind: 'none' }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly DirectoryContact[] };

const fold = (name: string): string => name.trim().toLocaleLowerCase();

export const resolveContactName = (name: string, contacts: readonly DirectoryContact[]): ContactMatch => {
  const wanted = fold(name);
  const matches = contacts.filter((c) => fold(c.name) === wanted || c.aliases.some((a) => fold(a) === wanted));
  const numbers = new Set(matches.map((c) => c.e164));
  if (matches.length === 0) return { kind: 'none' };
  return numbers.size === 1 ? { kind: 'one', contact: matches[0] } : { kind: 'ambiguous', candidates: matches };
};
