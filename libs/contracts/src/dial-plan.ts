import { PhoneNumberUtil, ShortNumberInfo, type RegionCode } from 'google-libphonenumber';
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { DestinationClass } from './destinations';

export type Classification =
  | {
      readonly ok: true;
      readonly class: DestinationClass;
      readonly e164: string;
      /** A premium-rate number in another country than the account's: it needs the international grant too. */
      readonly abroad?: true;
    }
  | { readonly ok: false; readonly reason: 'invalid_destination' };

const phoneUtil = PhoneNumberUtil.getInstance();
const shortNumbers = ShortNumberInfo.getInstance();

/**
 * Any script's decimal digits as ASCII: NFKC folds the fullwidth and mathematical ones, not the
 * Arabic-Indic "٩١١", the Persian "۱۱۰" or the Devanagari "९११" a keyboard or speech-to-text may
 * give. Unicode keeps each script's digits in runs of ten, zero first: a digit's value is how
 * many digits precede it in its run (mod 10: one run of twenty is two scripts side by side).
 */
const asciiDigits = (text: string): string =>
  text.replace(/\p{Nd}/gu, (digit) => {
    if (digit >= '0' && digit <= '9') return digit;
    const codePoint = digit.codePointAt(0)!;
    let before = 0;
    while (/\p{Nd}/u.test(String.fromCodePoint(codePoint - before - 1))) before++;
    return String(before % 10);
  });

/**
 * The text as read: NFKC, without the invisible format characters (Unicode Cf) that phones and
 * keyboards put around numbers — direction marks and isolates in right-to-left locales (Android
 * wraps a number in them; Arabic input puts a mark beside "٩١١"), zero-width spaces, soft
 * hyphens — and with ASCII digits.
 */
const visibleText = (target: string): string => asciiDigits(target.normalize('NFKC').replace(/\p{Cf}/gu, ''));

/**
 * A dial string as the network sees it: visible text with ASCII digits first (fullwidth "９１１",
 * Arabic-Indic "٩١١" and "\u2068911\u2069" are "911"), then without what a person types and means
 * nothing — spaces, dots, dashes, brackets, slashes — and the "#" some keypads end a number with.
 */
export const normaliseDialString = (target: string): string =>
  visibleText(target).trim().replace(/[\s().\-/]/g, '').replace(/#+$/, '');

/** An ISO 3166-1 alpha-2 code that has a numbering plan ("ZZ", the unknown region, has none). */
export const isDiallingCountry = (country: string): boolean => isSupportedCountry(country.toUpperCase());

export const looksDialable = (target: string): boolean => {
  const normalised = normaliseDialString(target);
  return /^\+?\d{2,}$/.test(normalised);
};

const digitWords: Readonly<Record<string, string>> = {
  zero: '0', oh: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
};
/**
 * 112 and 911 are emergency numbers on every mobile network, whatever the country's own
 * (3GPP TS 22.101 section 10.1.1): a visitor's "911" in London is an emergency call. The carrier
 * is handed the country's own number where its metadata does not list the one dialled (999 for
 * "911" in the UK), so a line that routes only the country's numbers connects it too.
 */
const mobileEmergencyNumbers = new Set(['112', '911']);
const isEmergencyDialled = (digits: string, region: RegionCode): boolean =>
  mobileEmergencyNumbers.has(digits) || shortNumbers.isEmergencyNumber(digits, region);

/** Numbers that answer for every emergency service in the countries that have one. */
const generalEmergencyNumbers = ['911', '999', '000', '111', '112']; // 112 last: where a country has its own beside it, its own
/**
 * Where a country has no general number, each service has its own, and a spoken word names one
 * (police 110 and ambulance 120 in China; fire and ambulance 119 in Japan). These are tried only
 * there, and each only where it is an emergency number: where the country has a general number,
 * it answers every word (its call-takers dispatch any service).
 */
const serviceNumbers = {
  police: ['110', '113', '191', '122', '19', '15', '100', '17'],
  ambulance: ['120', '119', '115', '123', '1122', '1669', '102', '103'],
  fire: ['119', '114', '180', '16', '199', '101', '18'],
};
const anyService = [...new Set([...serviceNumbers.police, ...serviceNumbers.ambulance, ...serviceNumbers.fire])];
const emergencyWords: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries({
    emergency: [], 'emergency services': [], police: serviceNumbers.police, ambulance: serviceNumbers.ambulance,
    fire: serviceNumbers.fire, 'fire department': serviceNumbers.fire, 'fire brigade': serviceNumbers.fire,
  }).map(([word, own]) => [word, [...generalEmergencyNumbers, ...own, ...anyService]]),
);
const numberFor = (candidates: readonly string[], region: RegionCode): string =>
  candidates.find((n) => shortNumbers.isEmergencyNumber(n, region)) ?? '112'; // every mobile network routes 112

/** The number to hand the carrier for an emergency number dialled in `region`: itself, or the country's own. */
const localEmergencyNumber = (digits: string, region: RegionCode): string =>
  shortNumbers.isEmergencyNumber(digits, region) ? digits : numberFor(emergencyWords.get('emergency')!, region);

/**
 * The emergency number a spoken or dialled target means in `country`, or null: "911", "９１１",
 * "٩١١", "911#", "nine one one", "emergency", "ambulance". Checked before any contact, so no
 * contact name or alias can shadow an emergency call (nor route "nine one one" somewhere else).
 */
export const emergencyNumberFor = (target: string, country: string): string | null => {
  const region = country.toUpperCase() as RegionCode;
  if (!isSupportedCountry(region)) return null;
  const numbers = emergencyWords.get(spokenForm(target));
  if (numbers) return numberFor(numbers, region);
  const digits = shortDigitsOf(target);
  return digits !== null && isEmergencyDialled(digits, region) ? localEmergencyNumber(digits, region) : null;
};

/** Whether `target` could be an emergency call in some country: a cheap test before looking the country up. */
export const mayBeEmergencyTarget = (target: string): boolean => emergencyWords.has(spokenForm(target)) || shortDigitsOf(target) !== null;

const spokenForm = (target: string): string => visibleText(target).trim().toLowerCase().replace(/[\s-]+/g, ' ');

/** The digits of a short number, typed or spelled out ("nine one one"); null for anything else. */
const shortDigitsOf = (target: string): string | null => {
  const words = spokenForm(target).split(' ');
  const digits = words.every((w) => Object.hasOwn(digitWords, w)) ? words.map((w) => digitWords[w]).join('') : normaliseDialString(target);
  return /^\d{2,8}$/.test(digits) ? digits : null;
};

/**
 * Emergency and short numbers (911, 112, 999, 000; 411, 311, 988...) exist only for the
 * country they are dialled in, but for 112 and 911, emergency numbers everywhere.
 * libphonenumber-js carries no short-number metadata, so this part uses Google's ShortNumberInfo
 * (google-libphonenumber), which has it for every region.
 */
const classifyShort = (digits: string, country: RegionCode): Classification | null => {
  if (digits.length < 2 || digits.length > 8) return null;
  if (isEmergencyDialled(digits, country)) return { ok: true, class: 'emergency', e164: localEmergencyNumber(digits, country) };
  let parsed;
  try {
    parsed = phoneUtil.parse(digits, country);
  } catch {
    return null; // not even a short number ("00" in the UK): the regular rules refuse it
  }
  // Germany's 11833 is also a possible regular number there, Austria's 118 811 one the metadata lacks: the range decides first.
  if (isPremiumDirectory(digits, country)) return { ok: true, class: 'premium', e164: digits };
  if (isRegularNumber(digits, country)) return null; // the regular rules decide
  if (shortNumbers.isValidShortNumberForRegion(parsed, country)) {
    // A short number billed at a premium rate (France's 3611 and 118 712, Italy's 1200) is premium:
    // its grant, its assurance and its budget apply, as to any other premium number.
    const premium = shortNumbers.getExpectedCostForRegion(parsed, country) === ShortNumberInfo.ShortNumberCost.PREMIUM_RATE;
    return { ok: true, class: premium ? 'premium' : 'short_code', e164: digits };
  }
  // Only a short number the country's plan has: "1010", "900" or "0000" go nowhere but to the carrier's error.
  return shortNumbers.isPossibleShortNumberForRegion(parsed, country) ? invalid : null;
};

/**
 * Directory enquiries billed at a premium rate whose cost the metadata leaves unknown: the UK's and
 * Ireland's 118 numbers, Germany's and Austria's 118 ranges. They put a call through to any number,
 * abroad included, at their own rate per minute, so they are premium: a short code counts against
 * no budget.
 */
const premiumDirectories: Readonly<Partial<Record<RegionCode, RegExp>>> = {
  GB: /^118\d{3}$/,
  IE: /^118\d{2}$/,
  DE: /^118\d{2,3}$/,
  AT: /^118\d{3}$/,
};
const isPremiumDirectory = (digits: string, country: RegionCode): boolean => premiumDirectories[country]?.test(digits) ?? false;

const invalid: Classification = { ok: false, reason: 'invalid_destination' };

/**
 * NANP pay-per-call: the 900 area code (libphonenumber types it PREMIUM_RATE) and the 976
 * exchange in any area code, which carriers bill as premium though no metadata says so.
 */
const isNanpPayPerCall = (e164: string): boolean => /^\+1\d{3}976\d{4}$/.test(e164) || /^\+1976\d{7}$/.test(e164);

/**
 * The NANP's fictional 555 area code (the demo's and the tests' numbers): the one number no
 * country's metadata names that counts as the account's own. Every other such +1 area code — 456
 * (carriers' inbound international), 700, 880 and 881, unassigned ones — may be routed abroad
 * and is international.
 */
const isFictional = (e164: string): boolean => /^\+1555\d{7}$/.test(e164);

const isRegularNumber = (digits: string, country: string): boolean =>
  parsePhoneNumberFromString(digits, country as CountryCode)?.isPossible() ?? false;

/**
 * Regular numbers through libphonenumber-js (max metadata, for number types). A number typed
 * PREMIUM_RATE is premium wherever it is (a +44 909 line from a US account, +1 900 from Canada):
 * premium-rate numbers abroad are the classic toll-fraud target (international revenue share
 * fraud), so the stricter budget applies, and the grant of both classes (`abroad`). Otherwise a number is international when its country is not
 * the account's, but for the toll-free numbers all +1 countries share (the metadata files them
 * under the US). A number that is only "possible" cannot be typed: when its area code still names
 * a country (+1 876 is Jamaica, however new the range and old the metadata), that country decides —
 * the Caribbean shares +1 with the US, and calls there are the classic toll fraud. When nothing
 * names one, it is international (the stricter reading), but for the fictional +1 555 range the
 * demo uses, which is the account's own under +1.
 */
const classifyRegular = (dialString: string, country: CountryCode): Classification => {
  const number = parsePhoneNumberFromString(dialString, country);
  if (!number || !number.isPossible()) return invalid;
  const e164 = number.number;
  const sameCallingCode = number.countryCallingCode === String(phoneUtil.getCountryCodeForRegion(country));
  const premium = (): Classification => {
    const home = number.country === undefined ? sameCallingCode : number.country === country;
    return home ? { ok: true, class: 'premium', e164 } : { ok: true, class: 'premium', e164, abroad: true };
  };
  if (isNanpPayPerCall(e164)) return premium();
  if (!number.isValid()) {
    const sameCountry = number.country === undefined ? sameCallingCode && isFictional(e164) : number.country === country;
    return { ok: true, class: sameCountry ? 'domestic' : 'international', e164 };
  }
  const type = number.getType();
  if (type === 'PREMIUM_RATE') return premium();
  const sharedTollFree = type === 'TOLL_FREE' && sameCallingCode && number.countryCallingCode === '1';
  if (number.country !== country && !sharedTollFree) return { ok: true, class: 'international', e164 };
  return { ok: true, class: 'domestic', e164 };
};

/**
 * What a dial string is, seen from an account in `accountCountry` (ISO 3166-1 alpha-2):
 * emergency, short_code (N11 and other short numbers), premium, international or domestic,
 * with the number to hand the carrier (E.164, or the short number's digits).
 */
export const classifyDestination = (dialString: string, accountCountry: string): Classification => {
  const country = accountCountry.toUpperCase();
  if (!looksDialable(dialString) || !isSupportedCountry(country)) return invalid;
  const normalised = normaliseDialString(dialString);
  if (!normalised.startsWith('+')) {
    const short = classifyShort(normalised, country as RegionCode);
    if (short) return short;
  }
  return classifyRegular(normalised, country as CountryCode);
};
