import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { VoiceprintCipher } from '../application/voiceprint-cipher';

const keyOf = (keyBase64: string): Buffer => {
  const key = Buffer.from(keyBase64, 'base64');
  if (key.length !== 32) throw new Error('VOICEPRINT_KEY must be 32 bytes, base64-encoded');
  return key;
};

/**
 * Voiceprints sealed with AES-256-GCM under VOICEPRINT_KEY, the account id as associated data so
 * that a ciphertext copied to another account's row fails to decrypt. Stored as iv ‖ tag ‖ body.
 * After a rotation the keys it replaced (VOICEPRINT_PREVIOUS_KEYS) still open what they sealed:
 * GCM's tag tells which key sealed a print, so the stored format carries no key id.
 */
export class AesVoiceprintCipher extends VoiceprintCipher {
  private readonly key: Buffer;
  private readonly previous: readonly Buffer[];

  constructor(keyBase64: string, previousKeysBase64: readonly string[] = []) {
    super();
    this.key = keyOf(keyBase64);
    this.previous = previousKeysBase64.map(keyOf);
  }

  get rotating(): boolean {
    return this.previous.length > 0;
  }

  seal(accountId: string, embedding: readonly number[]): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(accountId, 'utf8'));
    const plain = Buffer.from(new Float64Array(embedding).buffer);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  open(accountId: string, sealed: Buffer): number[] {
    return this.opened(accountId, sealed).embedding;
  }

  reseal(accountId: string, sealed: Buffer): Buffer | null {
    const { embedding, current } = this.opened(accountId, sealed);
    return current ? null : this.seal(accountId, embedding);
  }

  private opened(accountId: string, sealed: Buffer): { embedding: number[]; current: boolean } {
    try {
      return { embedding: openWith(this.key, accountId, sealed), current: true };
    } catch (error) {
      for (const key of this.previous) {
        try {
          return { embedding: openWith(key, accountId, sealed), current: false };
        } catch {
          // not this one either
        }
      }
      throw error;
    }
  }
}

const openWith = (key: Buffer, accountId: string, sealed: Buffer): number[] => {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAAD(Buffer.from(accountId, 'utf8'));
  decipher.setAuthTag(sealed.subarray(12, 28));
  const plain = Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
  return Array.from(new Float64Array(plain.buffer, plain.byteOffset, plain.length / 8));
};
