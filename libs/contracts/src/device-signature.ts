import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { voiceAssertionSigningPayload, type VoiceAssertion } from './voice-assertion';

// SPKI DER header for a raw Ed25519 public key (RFC 8410).
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
// The group order L, for the canonical-S check (RFC 8032 section 5.1.7: S must be < L).
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;

/**
 * The encodings of the eight points of small order (the torsion subgroup), as libsodium lists
 * them. A public key or a signature's R among them lets anyone forge: with A = identity, R =
 * identity and S = 0 "verify" any message under lax rules. device-signature.spec.ts checks the
 * list against @noble/curves.
 */
const smallOrder = new Set([
  '0100000000000000000000000000000000000000000000000000000000000000', // identity
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
]);

const littleEndian = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).reverse().toString('hex') || '0'}`);

/** A point encoding whose y (sign bit cleared) is >= p is not canonical: two byte strings would name one point. */
const isCanonicalPoint = (bytes: Uint8Array): boolean => {
  const y = Buffer.from(bytes);
  y[31] &= 0x7f;
  return littleEndian(y) < P;
};

const isStrongPoint = (bytes: Uint8Array): boolean =>
  bytes.length === 32 && isCanonicalPoint(bytes) && !smallOrder.has(Buffer.from(bytes).toString('hex'));

/**
 * Whether a device's public key (base64 of the raw 32 bytes) may be linked: a canonical
 * encoding of a point on the curve that is not of small order. Checked once, at link time, with
 * a full decoding; signatures are then verified against it strictly (isSignedByDevice).
 */
export const isAcceptableDeviceKey = (publicKeyBase64: string): boolean => {
  const raw = Buffer.from(publicKeyBase64, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== publicKeyBase64 || !isStrongPoint(raw)) return false;
  try {
    const point = ed25519.ExtendedPoint.fromHex(raw, false);
    return !point.isSmallOrder() && Buffer.from(point.toRawBytes()).equals(raw);
  } catch {
    return false; // not a point on the curve
  }
};

const keys = new Map<string, KeyObject | null>();
/** Parsed keys are kept: a device signs many requests, and parsing costs more than verifying. */
const publicKeyFromRaw = (base64: string): KeyObject | null => {
  let key = keys.get(base64);
  if (key !== undefined) return key;
  const raw = Buffer.from(base64, 'base64');
  key = raw.length === 32 && isStrongPoint(raw) ? createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' }) : null;
  if (keys.size > 10_000) keys.clear();
  keys.set(base64, key);
  return key;
};

/**
 * True when `signatureBase64` is the Ed25519 signature of `message` (UTF-8) by the key whose raw
 * 32 bytes are `publicKeyBase64`, verified strictly (RFC 8032 with the checks ZIP-215 leaves
 * out): a canonical S below the group order, an R that is neither of small order nor
 * non-canonically encoded, a key of the same standing. Every signature Homeline checks (a
 * device's voice assertion, an approver's decision) goes through here. Pure: computation only.
 */
export const verifyEd25519 = (message: string, signatureBase64: string, publicKeyBase64: string): boolean => {
  const key = publicKeyFromRaw(publicKeyBase64);
  if (!key) return false;
  const bytes = Buffer.from(signatureBase64, 'base64');
  if (bytes.length !== 64 || !isStrongPoint(bytes.subarray(0, 32)) || littleEndian(bytes.subarray(32)) >= L) return false;
  return verify(null, Buffer.from(message, 'utf8'), key, bytes);
};

/** True when `assertion.signature` is the device's strict Ed25519 signature (verifyEd25519) over the assertion's signing payload. */
export const isSignedByDevice = (assertion: VoiceAssertion, publicKeyBase64: string): boolean => {
  const { signature, ...unsigned } = assertion;
  return verifyEd25519(voiceAssertionSigningPayload(unsigned), signature, publicKeyBase64);
};
