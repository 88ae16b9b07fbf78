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

  it('opens a print sealed under a previous key after a rotation, and seals it again under the current one', () => {
    const [older, old, current] = [randomBytes(32), randomBytes(32), randomBytes(32)].map((key) => key.toString('base64'));
    const before = new AesVoiceprintCipher(old).seal('acc-1', embedding);
    const rotated = new AesVoiceprintCipher(current, [older, old]);
    expect(rotated.open('acc-1', before)).toEqual(embedding);
    const again = rotated.reseal('acc-1', before)!;
    expect(() => new AesVoiceprintCipher(old).open('acc-1', again)).toThrow();
    expect(rotated.reseal('acc-1', again)).toBeNull();
    expect(() => rotated.reseal('acc-2', before)).toThrow();
    expect(() => new AesVoiceprintCipher(randomBytes(32).toString('base64')).open('acc-1', before)).toThrow();
  });

  it('refuses a key of the wrong size', () => {
    expect(() => new AesVoiceprintCipher(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
