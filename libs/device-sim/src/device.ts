import { randomBytes, sign } from 'node:crypto';
import {
  voiceAssertionSigningPayload,
  type UnsignedVoiceAssertion,
  type VoiceAssertion,
  type VoicePurpose,
} from '@homeline/contracts';
import { deviceKeys, type DeviceKeys } from './keys';

export interface AssertionRequest {
  readonly purpose?: VoicePurpose;
  /** The dial target for place-call (exactly the `target` sent), or the callId for answer-call. */
  readonly subject: string;
  readonly embedding: readonly number[];
  readonly liveness?: number;
  /** Defaults to now. */
  readonly issuedAt?: string;
  /** Defaults to 16 random bytes, base64url. */
  readonly nonce?: string;
}

/** A linked speaker: its key pair and what it signs. */
export interface SimulatedDevice {
  readonly deviceId: string;
  readonly keys: DeviceKeys;
  /** Base64 of the raw 32-byte Ed25519 public key, for `POST /v1/accounts/:id/devices`. */
  readonly publicKey: string;
  /** A fresh, signed voice assertion. */
  assert(request: AssertionRequest): VoiceAssertion;
  /** Signs exactly the given fields. */
  sign(unsigned: UnsignedVoiceAssertion): VoiceAssertion;
}

export const signWith = (keys: DeviceKeys, unsigned: UnsignedVoiceAssertion): VoiceAssertion => ({
  ...unsigned,
  signature: sign(null, Buffer.from(voiceAssertionSigningPayload(unsigned), 'utf8'), keys.privateKey).toString(
    'base64',
  ),
});

export const unsignedAssertion = (deviceId: string, request: AssertionRequest): UnsignedVoiceAssertion => ({
  deviceId,
  purpose: request.purpose ?? 'place-call',
  subject: request.subject,
  nonce: request.nonce ?? randomBytes(16).toString('base64url'),
  issuedAt: request.issuedAt ?? new Date().toISOString(),
  liveness: request.liveness ?? 0.97,
  embedding: [...request.embedding],
});

/** A device whose keys come from `seed` (default: the deviceId), so a test can rebuild it. */
export const simulatedDevice = (deviceId: string, seed: string = deviceId): SimulatedDevice => {
  const keys = deviceKeys(seed);
  return {
    deviceId,
    keys,
    publicKey: keys.publicKeyBase64,
    assert: (request) => signWith(keys, unsignedAssertion(deviceId, request)),
    sign: (unsigned) => signWith(keys, unsigned),
  };
};
