import { simulatedDevice } from '@homeline/device-sim';
import { ed25519PublicKey } from './device-public-key';

describe('a device public key', () => {
  it('is the raw 32 bytes of an Ed25519 key, in base64', () => {
    const device = simulatedDevice('den-speaker');
    expect(ed25519PublicKey(device.publicKey)?.toString('base64')).toBe(device.publicKey);
  });

  it('is refused when it has another length, or is not base64', () => {
    expect(ed25519PublicKey(Buffer.alloc(16).toString('base64'))).toBeNull();
    expect(ed25519PublicKey(Buffer.alloc(33).toString('base64'))).toBeNull();
    expect(ed25519PublicKey('not base64!')).toBeNull();
  });
});
