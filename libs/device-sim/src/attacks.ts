import type { VoiceAssertion } from '@homeline/contracts';
import { signWith, unsignedAssertion, type AssertionRequest } from './device';
import { deviceKeys } from './keys';

/** What an attacker who recorded an assertion sends again: the very same bytes, nonce included. */
export const replayOf = (assertion: VoiceAssertion): VoiceAssertion => ({
  ...assertion,
  embedding: [...assertion.embedding],
});

/** Claims to come from `deviceId` but is signed with some other key. */
export const forgedAssertion = (deviceId: string, request: AssertionRequest, forgerSeed = 'forger'): VoiceAssertion =>
  signWith(deviceKeys(`${forgerSeed}/${deviceId}`), unsignedAssertion(deviceId, request));

/** A genuine signature over different fields (e.g. the subject changed in flight). */
export const tamperedAssertion = (
  assertion: VoiceAssertion,
  changes: Partial<Omit<VoiceAssertion, 'signature'>>,
): VoiceAssertion => ({
  ...assertion,
  ...changes,
});

/** A correctly signed assertion issued `ageSeconds` before `now`. */
export const staleIssuedAt = (now: Date | string, ageSeconds: number): string =>
  new Date(new Date(now).getTime() - ageSeconds * 1000).toISOString();

/** A correctly signed assertion that is `ageSeconds` old at `now`. */
export const staleAssertion = (
  device: { assert(request: AssertionRequest): VoiceAssertion },
  request: Omit<AssertionRequest, 'issuedAt'>,
  ageSeconds: number,
  now: Date | string = new Date(),
): VoiceAssertion => device.assert({ ...request, issuedAt: staleIssuedAt(now, ageSeconds) });
