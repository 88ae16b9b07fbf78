/**
 * Voiceprints are biometric data: identity keeps them only sealed, bound to their account, so a
 * sealed print copied to another account's row does not open. The port (an abstract class, so
 * it is also the injection token); the AES-256-GCM adapter is in edges/.
 */
export abstract class VoiceprintCipher {
  abstract seal(accountId: string, embedding: readonly number[]): Buffer;
  /** Throws when the print was sealed for another account, with another key, or altered. */
  abstract open(accountId: string, sealed: Buffer): number[];
}
