import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { voiceAssertionSigningPayload, type VoiceAssertion } from '@homeline/contracts';

// SPKI DER header for a raw Ed25519 public key (RFC 8410).
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const publicKeyFromRaw = (base64: string): KeyObject | null => {
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32) return null;
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
};

/**
 * True when `assertion.signature` is the Ed25519 signature, by the key whose raw 32 bytes are
 * `publicKeyBase64`, over the assertion's signing payload. Pure: no I/O, only computation.
 */
export const isSignedByDevice = (assertion: VoiceAssertion, publicKeyBase64: string): boolean => {
  const key = publicKeyFromRaw(publicKeyBase64);
  if (!key) return false;
  const { signature, ...unsigned } = assertion;
  const bytes = Buffer.from(signature, 'base64');
  if (bytes.length !== 64) return false;
  return verify(null, Buffer.from(voiceAssertionSigningPayload(unsigned), 'utf8'), key, bytes);
};
