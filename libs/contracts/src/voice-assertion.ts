import { z } from 'zod';
import { isoInstant } from './instant';

/** Domain-separation tag: a signature over this payload means nothing in any other protocol. */
export const VOICE_ASSERTION_TAG = 'homeline-voice-v1';

export const voicePurposeSchema = z.enum(['place-call', 'answer-call']);
export type VoicePurpose = z.infer<typeof voicePurposeSchema>;

/** A voice assertion as a device sends it with a place or answer request (docs/architecture.md section 6). */
export const voiceAssertionSchema = z.object({
  /** The device that signed: as long as a device id may be where it is sent (POST /v1/calls). */
  deviceId: z.string().min(1).max(128),
  purpose: voicePurposeSchema,
  /** The dial target for place-call (exactly as sent in `target`), the callId for answer-call. */
  subject: z.string().min(1),
  /** One use per device; stored (as a key) to refuse a replay, so bounded like the ids it sits beside. */
  nonce: z.string().min(8).max(200),
  issuedAt: isoInstant(),
  liveness: z.number().min(0).max(1),
  embedding: z.array(z.number()).min(1).max(4096),
  /** Ed25519 signature, base64, over `voiceAssertionSigningPayload(...)` as UTF-8. */
  signature: z.string().min(1),
});
export type VoiceAssertion = z.infer<typeof voiceAssertionSchema>;
export type UnsignedVoiceAssertion = Omit<VoiceAssertion, 'signature'>;

/** The exact string a device signs; identity verifies the same bytes. */
export const voiceAssertionSigningPayload = (a: UnsignedVoiceAssertion): string =>
  JSON.stringify([VOICE_ASSERTION_TAG, a.deviceId, a.purpose, a.subject, a.nonce, a.issuedAt, a.liveness, a.embedding]);
