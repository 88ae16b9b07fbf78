import { randomBytes } from 'node:crypto';
import { AesVoiceprintCipher } from './aes-voiceprint-cipher';

describe('a stored voiceprint', () => {
  const cipher = new AesVoiceprintCipher(randomBytes(32).toString('base64'));
  const embedding = Array.from({ length: 192 }, (_, i) => Math.sin(i) / 3);

  it('comes back exactly as enrolled', () => {
    expect(cipher.open('acc-1', cipher.seal('acc-1', embedding))).toEqual(embedding);
  });

  it('does not show the embedding in what is stored', () => {
    const sealed = cipher.seal('acc-1', embedding);
    expect(sealed.includes(Buffer.from(new Float64Array(embedding.slice(0, 4)).buffer))).toBe(false);
  });

  it('cannot be opened under another account or after tampering', () => {
    const sealed = cipher.seal('acc-1', embedding);
    expect(() => cipher.open('acc-2', sealed)).toThrow();
    sealed[40] ^= 1;
    expect(() => cipher.open('acc-1', sealed)).toThrow();
  });

  it('refuses a key of the wrong size', () => {
    expect(() => new AesVoiceprintCipher(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
