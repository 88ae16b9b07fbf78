import { verify } from 'node:crypto';
import { voiceAssertionSchema, voiceAssertionSigningPayload, type VoiceAssertion } from '@homeline/contracts';
import {
  deviceKeys,
  forgedAssertion,
  publicKeyFromBase64,
  replayOf,
  simulatedDevice,
  simulatedSpeaker,
  staleAssertion,
  tamperedAssertion,
} from './index';

const verifies = (assertion: VoiceAssertion, publicKeyBase64: string): boolean => {
  const { signature, ...unsigned } = assertion;
  return verify(
    null,
    Buffer.from(voiceAssertionSigningPayload(unsigned), 'utf8'),
    publicKeyFromBase64(publicKeyBase64),
    Buffer.from(signature, 'base64'),
  );
};

const kitchen = simulatedDevice('kitchen-speaker');
const alice = simulatedSpeaker('alice');
const request = { subject: 'Mom', embedding: alice.utter({ take: 1 }), issuedAt: '2026-11-24T18:00:00.000Z' };

describe('a simulated device', () => {
  it('publishes its Ed25519 public key as base64 of the raw 32 bytes', () => {
    expect(Buffer.from(kitchen.publicKey, 'base64')).toHaveLength(32);
  });

  it('derives the same keys from the same seed, and different keys from another', () => {
    expect(simulatedDevice('kitchen-speaker').publicKey).toBe(kitchen.publicKey);
    expect(simulatedDevice('hall-speaker').publicKey).not.toBe(kitchen.publicKey);
    expect(deviceKeys().publicKeyBase64).not.toBe(deviceKeys().publicKeyBase64);
  });

  it('signs an assertion that verifies with node:crypto over the documented payload', () => {
    const assertion = kitchen.assert(request);
    expect(voiceAssertionSchema.parse(assertion)).toEqual(assertion);
    expect(assertion).toMatchObject({ deviceId: 'kitchen-speaker', purpose: 'place-call', subject: 'Mom' });
    expect(verifies(assertion, kitchen.publicKey)).toBe(true);
  });

  it('signs the exact JSON array docs/architecture.md names, tag first', () => {
    const { signature: _signature, ...unsigned } = kitchen.assert({ ...request, nonce: 'nonce-0001', liveness: 0.9 });
    expect(JSON.parse(voiceAssertionSigningPayload(unsigned))).toEqual([
      'homeline-voice-v1',
      'kitchen-speaker',
      'place-call',
      'Mom',
      'nonce-0001',
      '2026-11-24T18:00:00.000Z',
      0.9,
      unsigned.embedding,
    ]);
  });

  it('uses a fresh nonce for every assertion', () => {
    expect(kitchen.assert(request).nonce).not.toBe(kitchen.assert(request).nonce);
  });
});

describe('attacks on assertions', () => {
  it('a replay repeats the nonce and still verifies', () => {
    const original = kitchen.assert(request);
    const replay = replayOf(original);
    expect(replay).toEqual(original);
    expect(verifies(replay, kitchen.publicKey)).toBe(true);
  });

  it("a forgery names the device but fails against the device's key", () => {
    expect(verifies(forgedAssertion('kitchen-speaker', request), kitchen.publicKey)).toBe(false);
  });

  it('a tampered subject fails verification', () => {
    expect(verifies(tamperedAssertion(kitchen.assert(request), { subject: '+15550109999' }), kitchen.publicKey)).toBe(
      false,
    );
  });

  it('a stale assertion is genuinely signed, only old', () => {
    const stale = staleAssertion(kitchen, request, 600, '2026-11-24T18:00:00.000Z');
    expect(stale.issuedAt).toBe('2026-11-24T17:50:00.000Z');
    expect(verifies(stale, kitchen.publicKey)).toBe(true);
  });
});
