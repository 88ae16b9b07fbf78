/**
 * Voiceprints are biometric data: identity keeps them only sealed, bound to their account, so a
 * sealed print copied to another account's row does not open. The port (an abstract class, so
 * it is also the injection token); the AES-256-GCM adapter is in edges/.
 */
export abstract class VoiceprintCipher {
  abstract seal(accountId: string, embedding: readonly number[]): Buffer;
  /** Throws when the print was sealed for another account, with an unknown key, or altered. */
  abstract open(accountId: string, sealed: Buffer): number[];
  /** The print sealed again under the current key, or null when it already is (throws like open). */
  abstract reseal(accountId: string, sealed: Buffer): Buffer | null;
  /** Whether some prints may be sealed under a key other than the current one (a rotation is under way). */
  abstract readonly rotating: boolean;
}
