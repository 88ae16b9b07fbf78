import { createPublicKey } from 'node:crypto';

// SPKI DER header for a raw Ed25519 public key (RFC 8410).
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The raw 32 bytes of an Ed25519 public key given as base64, or null when it is not one. */
export const ed25519PublicKey = (base64: string): Buffer | null => {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32) return null;
  try {
    createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
    return raw;
  } catch {
    return null;
  }
};
