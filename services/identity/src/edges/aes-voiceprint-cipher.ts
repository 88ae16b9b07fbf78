import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { VoiceprintCipher } from '../application/voiceprint-cipher';

/**
 * Voiceprints sealed with AES-256-GCM under VOICEPRINT_KEY, the account id as associated data so
 * that a ciphertext copied to another account's row fails to decrypt. Stored as iv ‖ tag ‖ body.
 */
export class AesVoiceprintCipher extends VoiceprintCipher {
  private readonly key: Buffer;

  constructor(keyBase64: string) {
    super();
    this.key = Buffer.from(keyBase64, 'base64');
    if (this.key.length !== 32) throw new Error('VOICEPRINT_KEY must be 32 bytes, base64-encoded');
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
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, 12));
    decipher.setAAD(Buffer.from(accountId, 'utf8'));
    decipher.setAuthTag(sealed.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
    return Array.from(new Float64Array(plain.buffer, plain.byteOffset, plain.length / 8));
  }
}
