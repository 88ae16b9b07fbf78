import { generateKeyPairSync, sign } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { approvalSigningPayload, isApprovalSignedBy } from './approval-decision';
import { isAcceptableDeviceKey, isSignedByDevice, verifyEd25519 } from './device-signature';
import { voiceAssertionSigningPayload, type UnsignedVoiceAssertion } from './voice-assertion';

const unsigned: UnsignedVoiceAssertion = {
  deviceId: 'kitchen', purpose: 'place-call', subject: 'Mom', nonce: 'nonce-0001', issuedAt: '2026-11-27T10:00:00.000Z', liveness: 0.9, embedding: [0.1, 0.2],
};
const pair = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  return { publicKey: raw.toString('base64'), sign: (u: UnsignedVoiceAssertion) => ({ ...u, signature: sign(null, Buffer.from(voiceAssertionSigningPayload(u)), privateKey).toString('base64') }) };
};
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const toLE = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();

describe('a device key', () => {
  it('is accepted when it is a real Ed25519 public key', () => expect(isAcceptableDeviceKey(pair().publicKey)).toBe(true));

  it.each([
    ['all zeros', '00'.repeat(32)],
    ['the identity point', '01' + '00'.repeat(31)],
    ['a point of order 8', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'],
    ['a non-canonical y (y = p + 1)', 'ee' + 'ff'.repeat(30) + '7f'],
    ['not on the curve', '02' + '00'.repeat(31)],
  ])('is refused when it is %s', (_what, hex) => expect(isAcceptableDeviceKey(b64(hex))).toBe(false));

  it('is refused unless it is exactly 32 bytes of canonical base64', () => {
    const good = pair().publicKey;
    expect(isAcceptableDeviceKey(good.slice(0, -4))).toBe(false);
    expect(isAcceptableDeviceKey(`${good}AA==`)).toBe(false);
  });

  it('refuses every point of small order @noble/curves knows of', () => {
    const torsion = ed25519.ExtendedPoint.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');
    for (let k = 1n; k <= 8n; k++) {
      const point = torsion.multiplyUnsafe(k);
      expect(point.isSmallOrder()).toBe(true);
      expect(isAcceptableDeviceKey(Buffer.from(point.toRawBytes()).toString('base64'))).toBe(false);
    }
  });
});

describe('a signed assertion', () => {
  it('verifies when signed by the device over exactly these fields', () => {
    const device = pair();
    expect(isSignedByDevice(device.sign(unsigned), device.publicKey)).toBe(true);
    expect(isSignedByDevice({ ...device.sign(unsigned), subject: 'Dad' }, device.publicKey)).toBe(false);
  });

  it('does not verify the forgery anyone can make with a small-order key (R = identity, S = 0)', () => {
    const identity = '01' + '00'.repeat(31);
    const forged = { ...unsigned, signature: Buffer.from(identity + '00'.repeat(32), 'hex').toString('base64') };
    expect(isSignedByDevice(forged, b64(identity))).toBe(false);
  });

  it('does not verify a non-canonical S (S + L)', () => {
    const device = pair();
    const good = Buffer.from(device.sign(unsigned).signature, 'base64');
    const s = BigInt(`0x${Buffer.from(good.subarray(32)).reverse().toString('hex')}`);
    const malleated = Buffer.concat([good.subarray(0, 32), toLE(s + L)]);
    expect(isSignedByDevice({ ...unsigned, signature: malleated.toString('base64') }, device.publicKey)).toBe(false);
  });
});

describe('any signed message (verifyEd25519)', () => {
  const keyPair = () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    return { publicKey: raw.toString('base64'), sign: (m: string) => sign(null, Buffer.from(m, 'utf8'), privateKey).toString('base64') };
  };

  it('verifies a signature by the key over exactly this message', () => {
    const signer = keyPair();
    expect(verifyEd25519('hello', signer.sign('hello'), signer.publicKey)).toBe(true);
    expect(verifyEd25519('hello!', signer.sign('hello'), signer.publicKey)).toBe(false);
    expect(verifyEd25519('hello', signer.sign('hello'), keyPair().publicKey)).toBe(false);
  });

  it('refuses the small-order forgery and a malleated S, whatever the message', () => {
    const identity = '01' + '00'.repeat(31);
    expect(verifyEd25519('approve', Buffer.from(identity + '00'.repeat(32), 'hex').toString('base64'), b64(identity))).toBe(false);
    const signer = keyPair();
    const good = Buffer.from(signer.sign('approve'), 'base64');
    const s = BigInt(`0x${Buffer.from(good.subarray(32)).reverse().toString('hex')}`);
    expect(verifyEd25519('approve', Buffer.concat([good.subarray(0, 32), toLE(s + L)]).toString('base64'), signer.publicKey)).toBe(false);
  });

  it('binds an approval decision to its approval, its answer and its time', () => {
    const phone = keyPair();
    const decision = { approvalId: 'ap-1', decision: 'approve' as const, signedAt: '2026-11-27T10:00:00.000Z' };
    const signed = { ...decision, signature: phone.sign(approvalSigningPayload(decision.approvalId, decision.decision, decision.signedAt)) };
    expect(isApprovalSignedBy(signed, phone.publicKey)).toBe(true);
    expect(isApprovalSignedBy({ ...signed, decision: 'deny' }, phone.publicKey)).toBe(false);
    expect(isApprovalSignedBy({ ...signed, approvalId: 'ap-2' }, phone.publicKey)).toBe(false);
    expect(isApprovalSignedBy({ ...signed, signedAt: '2026-11-27T10:00:01.000Z' }, phone.publicKey)).toBe(false);
    expect(isApprovalSignedBy(signed, keyPair().publicKey)).toBe(false);
    expect(approvalSigningPayload('ap-1', 'deny', 't')).toBe('["homeline-approval-v1","ap-1","deny","t"]');
  });
});
