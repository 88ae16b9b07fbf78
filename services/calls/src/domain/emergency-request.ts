import { emergencyNumberFor, isSignedByDevice, type VoiceAssertion } from '@homeline/contracts';

/** What calls knows of a linked device from identity's registry events (its own projection). */
export interface KnownDevice {
  readonly deviceId: string;
  readonly accountId: string;
  /** The account's country (ISO 3166-1 alpha-2), where its emergency numbers are those of. */
  readonly country: string;
  /** Ed25519, base64 of the raw 32 bytes. */
  readonly publicKey: string;
}

export interface EmergencyRequest {
  readonly device: KnownDevice | null;
  readonly target: string;
  readonly voice: VoiceAssertion;
  /** ISO-8601, the request's time. */
  readonly now: string;
  /** How old (and how far in the future) the assertion may be, in seconds. */
  readonly maxAgeSeconds: number;
  readonly futureSkewSeconds: number;
}

/**
 * An emergency call routes even when identity does not answer (docs/architecture.md section 1):
 * calls recognises it itself when the request is an emergency number of the device's account,
 * made by a linked device — "something the home has": the device's own signature over this very
 * request, fresh. Voice and rules are skipped for emergency calls; device trust is not. Returns
 * the account to route under, or null when the request must wait for identity as any other.
 */
export const recogniseEmergencyRequest = (request: EmergencyRequest): { readonly accountId: string } | null => {
  const { device, voice, target } = request;
  if (!device || voice.deviceId !== device.deviceId) return null;
  if (voice.purpose !== 'place-call' || voice.subject !== target) return null;
  if (emergencyNumberFor(target, device.country) === null) return null;
  const age = (Date.parse(request.now) - Date.parse(voice.issuedAt)) / 1000;
  if (!(age <= request.maxAgeSeconds && age >= -request.futureSkewSeconds)) return null;
  return isSignedByDevice(voice, device.publicKey) ? { accountId: device.accountId } : null;
};
