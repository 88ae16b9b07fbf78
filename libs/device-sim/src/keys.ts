import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SeededRandom } from './random';

// DER prefixes that wrap a raw Ed25519 key (RFC 8410): PKCS#8 for the 32-byte seed, SPKI for the public key.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface DeviceKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Base64 of the raw 32-byte public key, as `POST /v1/accounts/:id/devices` takes it. */
  readonly publicKeyBase64: string;
}

const keysFrom = (privateKey: KeyObject): DeviceKeys => {
  const publicKey = createPublicKey(privateKey);
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
  return { privateKey, publicKey, publicKeyBase64: Buffer.from(raw).toString('base64') };
};

/** An Ed25519 key pair; the same seed gives the same pair, no seed gives a fresh random one. */
export const deviceKeys = (seed?: string): DeviceKeys => {
  if (seed === undefined) return keysFrom(generateKeyPairSync('ed25519').privateKey);
  const secret = new SeededRandom(`${seed}/ed25519`).bytes(32);
  return keysFrom(
    createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, secret]), format: 'der', type: 'pkcs8' }),
  );
};

/** The KeyObject for a base64 raw public key (what identity stores). */
export const publicKeyFromBase64 = (base64: string): KeyObject =>
  createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(base64, 'base64')]),
    format: 'der',
    type: 'spki',
  });
