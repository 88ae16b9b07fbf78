/**
 * Which values of an event are personal data (docs/architecture.md section 7): phone numbers,
 * names, addresses, locations, dial targets, voice embeddings. They are sealed with the account's
 * data key before the entry becomes a leaf. The rule is default-deny for text: a string is kept in
 * the clear only under a key known to hold an identifier, a code or a time; any other string, such
 * as a field a service adds tomorrow, is sealed.
 */

/** Sealed as a whole, whatever their shape. */
const PERSONAL_KEYS = new Set([
  'msisdn', 'e164', 'number', 'from', 'to', 'target', 'subject', 'callerId', 'callerName', 'contactName', 'dialString',
  'phone', 'name', 'displayName', 'aliases', 'address', 'location', 'room', 'floor', 'embedding', 'voiceprint',
]);

/** Text kept in the clear: identifiers, stable codes, enums, key material that is not personal. */
const CLEAR_TEXT_KEYS = new Set([
  'id', 'type', 'cause', 'class', 'status', 'direction', 'decision', 'role', 'assurance', 'stage', 'purpose',
  'releasedBy', 'speakerRejection', 'nonce', 'signature', 'publicKey', 'timezone', 'action', 'grants', 'grant', 'revoke',
  'deadline', 'until', 'source', 'state',
]);

/**
 * A `reason` is mostly a stable code (`rate_limited`, `unlinked_device`), but the carrier's desk
 * writes its own record there (AccountClosed's, ApproverRemoved's: "ported out for Jane Doe, ticket
 * 7731"): only a code is kept in the clear, any other text is sealed.
 */
const CODE_KEYS = new Set(['reason']);
const CODE = /^[a-z][a-z0-9_]*$/;

const isClearText = (key: string, value: string): boolean =>
  CLEAR_TEXT_KEYS.has(key) || /(Id|At)$/.test(key) || (CODE_KEYS.has(key) && CODE.test(value));

/** A value as it appears in a leaf once sealed: AES-256-GCM output, base64 (iv || ciphertext || tag). */
export interface SealedValue {
  readonly $sealed: string;
}

/** What replaces personal data whose key was erased (or was erased before the event arrived). */
export const ERASED = '[erased]';

export const isSealed = (value: unknown): value is SealedValue =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as SealedValue).$sealed === 'string';

/** Seals `value` found at `path` (e.g. `data.voice.subject`); the edges do the cryptography. */
export type Seal = (path: string, value: unknown) => SealedValue | typeof ERASED;
export type Unseal = (path: string, sealed: SealedValue) => unknown;

/**
 * A voice embedding is biometric: the log keeps only its SHA-256 and size (the `digest` function,
 * given by the caller), and those sealed too.
 */
export const sealPersonalData = (data: Record<string, unknown>, seal: Seal, digest: (embedding: unknown) => unknown, path = 'data'): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) out[key] = sealValue(key, value, `${path}.${key}`, seal, digest);
  return out;
};

const sealValue = (key: string, value: unknown, path: string, seal: Seal, digest: (embedding: unknown) => unknown): unknown => {
  if (value === null || value === undefined) return value;
  if (PERSONAL_KEYS.has(key)) return seal(path, key === 'embedding' ? digest(value) : value);
  if (typeof value === 'string') return isClearText(key, value) ? value : seal(path, value);
  if (Array.isArray(value)) return value.map((item, i) => sealValue(key, item, `${path}[${i}]`, seal, digest));
  if (typeof value === 'object') return sealPersonalData(value as Record<string, unknown>, seal, digest, path);
  return value; // numbers and booleans: scores, durations, flags
};

/** The reverse, for a compliance query: every sealed value opened, or `[erased]` when its key is gone. */
export const openPersonalData = (value: unknown, unseal: Unseal, path = 'data'): unknown => {
  if (isSealed(value)) return unseal(path, value);
  if (Array.isArray(value)) return value.map((item, i) => openPersonalData(item, unseal, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, openPersonalData(v, unseal, `${path}.${k}`)]));
  }
  return value;
};
