import type { VoiceAssertion } from '@homeline/contracts';
import {
  forgedAssertion,
  replayOf,
  simulatedDevice,
  simulatedSpeaker,
  similarSpeaker,
  staleAssertion,
  tamperedAssertion,
} from '@homeline/device-sim';
import { burnsNonce, verifySpeaker, type SpeakerDecision, type VerificationContext } from './verify-speaker';

const now = '2026-11-24T18:00:10.000Z';
const issuedAt = '2026-11-24T18:00:00.000Z';
const kitchen = simulatedDevice('kitchen');
const [alice, bob] = [simulatedSpeaker('alice'), simulatedSpeaker('bob')];
const stranger = simulatedSpeaker('stranger');

const household: VerificationContext = {
  callId: 'call-1',
  deviceId: 'kitchen',
  purpose: 'place-call',
  subject: 'Mom',
  device: { deviceId: 'kitchen', accountId: 'acc-1', publicKey: kitchen.publicKey },
  nonceSeen: false,
  enrolled: [
    { memberId: 'alice', embedding: alice.voiceprint },
    { memberId: 'bob', embedding: bob.voiceprint },
  ],
  now,
};

const says = (embedding: number[], extra: { liveness?: number; subject?: string } = {}): VoiceAssertion =>
  kitchen.assert({ subject: 'Mom', embedding, issuedAt, ...extra });

/** given(the household as identity knows it).when(an assertion arrives).then(the decision). */
const given = (context: Partial<VerificationContext> = {}) => ({
  when: (assertion: VoiceAssertion) => ({
    then: (expected: { type: SpeakerDecision['type']; data: object }) =>
      expect(verifySpeaker(assertion, { ...household, ...context })).toMatchObject(expected),
  }),
});
const rejected = (reason: string) => ({ type: 'SpeakerRejected' as const, data: { reason, decision: 'reject' } });

describe('verifying who is speaking', () => {
  it("accepts an enrolled member's own voice, signed by the linked device", () =>
    given()
      .when(says(alice.utter({ take: 1 })))
      .then({
        type: 'SpeakerVerified',
        data: { callId: 'call-1', accountId: 'acc-1', memberId: 'alice', threshold: 0.75, decision: 'accept' },
      }));

  it('tells household members apart', () =>
    given()
      .when(says(bob.utter({ take: 1 })))
      .then({ type: 'SpeakerVerified', data: { memberId: 'bob' } }));

  it('grants high assurance to a clear, live match', () =>
    given()
      .when(says(alice.utter({ take: 2, similarity: 0.93 })))
      .then({ type: 'SpeakerVerified', data: { assurance: 'high' } }));

  it('grants only standard assurance to a match that passes but is weaker', () =>
    given()
      .when(says(alice.utter({ take: 2, similarity: 0.8 })))
      .then({ type: 'SpeakerVerified', data: { assurance: 'standard' } }));

  it('refuses an impostor whose voice matches nobody', () =>
    given()
      .when(says(stranger.utter({ take: 1 })))
      .then(rejected('speaker_not_verified')));

  it('refuses when nobody in the household has enrolled', () =>
    given({ enrolled: [] }).when(says(alice.utter())).then(rejected('speaker_not_verified')));

  it('refuses two similar voices it cannot tell apart', () => {
    const twin = similarSpeaker(alice, 'alice-twin');
    given({ enrolled: [...household.enrolled, { memberId: 'twin', embedding: twin.voiceprint }] })
      .when(says(twin.utter({ take: 1 })))
      .then(rejected('ambiguous_speaker'));
  });

  it('refuses a recording played to the device (low liveness)', () =>
    given()
      .when(says(alice.utter(), { liveness: 0.4 }))
      .then({ ...rejected('low_liveness'), data: { liveness: 0.4 } }));

  it('demands the high thresholds for a risky action', () =>
    given({ risk: 'high' })
      .when(says(alice.utter({ similarity: 0.8 })))
      .then({ ...rejected('speaker_not_verified'), data: { threshold: 0.85 } }));

  it('refuses an assertion from a device linked to no account', () =>
    given({ device: null })
      .when(says(alice.utter()))
      .then({ ...rejected('unlinked_device'), data: { accountId: null } }));

  it("refuses a forgery signed with a key other than the device's", () =>
    given()
      .when(forgedAssertion('kitchen', { subject: 'Mom', embedding: alice.utter(), issuedAt }))
      .then(rejected('invalid_signature')));

  it('refuses an assertion whose signed fields were changed', () =>
    given()
      .when(tamperedAssertion(says(alice.utter()), { liveness: 1 }))
      .then(rejected('invalid_signature')));

  it('refuses an assertion made for another dial target', () =>
    given()
      .when(says(alice.utter(), { subject: '+15550109999' }))
      .then(rejected('assertion_mismatch')));

  it('refuses an answer-call assertion offered to place a call', () =>
    given()
      .when(kitchen.assert({ purpose: 'answer-call', subject: 'Mom', embedding: alice.utter(), issuedAt }))
      .then(rejected('assertion_mismatch')));

  it('refuses an assertion issued outside the window', () =>
    given()
      .when(staleAssertion(kitchen, { subject: 'Mom', embedding: alice.utter() }, 31, now))
      .then(rejected('stale_assertion')));

  it('refuses an assertion from too far in the future', () =>
    given()
      .when(kitchen.assert({ subject: 'Mom', embedding: alice.utter(), issuedAt: '2026-11-24T18:00:16.000Z' }))
      .then(rejected('stale_assertion')));

  it('refuses, as stale, an assertion older than the nonce store remembers when identity decides, however recent its request', () =>
    given({ now: '2026-11-24T18:00:10.000Z', decidedAt: '2026-11-24T19:00:01.000Z' })
      .when(says(alice.utter()))
      .then(rejected('stale_assertion')));

  it('still verifies a request decided late, while the nonce store remembers its assertion', () =>
    given({ now: '2026-11-24T18:00:10.000Z', decidedAt: '2026-11-24T18:58:00.000Z' })
      .when(says(alice.utter({ take: 1 })))
      .then({ type: 'SpeakerVerified', data: { memberId: 'alice' } }));

  it('refuses a replayed assertion whose nonce was seen', () =>
    given({ nonceSeen: true })
      .when(replayOf(says(alice.utter())))
      .then(rejected('replayed_assertion')));
});

describe('a device held for an owner\'s approval (docs/architecture.md section 6.2)', () => {
  const held = { device: { ...household.device!, held: true } };

  it('cannot place a call, however well it signs and whoever speaks', () =>
    given(held).when(says(alice.utter({ take: 1 }))).then({ ...rejected('device_pending_approval'), data: { accountId: 'acc-1' } }));

  it('is checked like a linked device first: a forgery in its name is a forgery', () =>
    given(held)
      .when(forgedAssertion('kitchen', { subject: 'Mom', embedding: alice.utter(), issuedAt }))
      .then(rejected('invalid_signature')));

  it('burns the nonce of what it really signed, so a refused request cannot be replayed once it is approved', () =>
    expect(burnsNonce(verifySpeaker(says(alice.utter()), { ...household, ...held }))).toBe(true));
});

describe('a voice that is not a sane vector (issue 11, finding 4)', () => {
  // Signs aligned with alice's print: the dot product and both sums of squares overflow, Infinity / Infinity is NaN.
  const huge = (): number[] => alice.voiceprint.map((x) => Math.sign(x) * 1e308);

  it('never accepts a score that is not a number: an embedding of 1e308s is refused as not verified', () =>
    given()
      .when(says(huge()))
      .then(rejected('speaker_not_verified')));

  it.each([
    ['a component above the bound', () => alice.utter({ take: 4 }).map((x, i) => (i === 0 ? 1_001 : x))],
    ['a vector far longer than any model outputs', () => alice.utter({ take: 4 }).map((x) => x * 5_000)],
    ['a vector too short to have a direction', () => alice.utter({ take: 4 }).map((x) => x * 1e-6)],
  ])('refuses %s, however well it points at a member', (_case, embedding) =>
    given().when(says(embedding())).then(rejected('speaker_not_verified')));

  it('accepts the same voice at any sane scale: a cosine ignores length', () =>
    given()
      .when(says(alice.utter({ take: 1 }).map((x) => x * 30)))
      .then({ type: 'SpeakerVerified', data: { memberId: 'alice' } }));

  it('ignores an enrolled print that scores NaN instead of letting it win', () =>
    given({ enrolled: [{ memberId: 'mallory', embedding: huge() }, ...household.enrolled] })
      .when(says(alice.utter({ take: 1 })))
      .then({ type: 'SpeakerVerified', data: { memberId: 'alice' } }));

  it.each([NaN, Infinity, 1.5, -0.1])('refuses a liveness of %s: only a number in [0, 1] is one (JSON cannot carry NaN, a caller could)', (liveness) =>
    given()
      .when(says(alice.utter({ take: 1 }), { liveness }))
      .then(rejected('low_liveness')));
});

describe('the nonce of an assertion', () => {
  const decide = (assertion: VoiceAssertion, context: Partial<VerificationContext> = {}) =>
    verifySpeaker(assertion, { ...household, ...context });

  it('is burned when the device really signed it, accepted or not', () => {
    expect(burnsNonce(decide(says(alice.utter())))).toBe(true);
    expect(burnsNonce(decide(says(stranger.utter())))).toBe(true);
  });

  it('is not burned by a forgery or an unknown device', () => {
    expect(burnsNonce(decide(forgedAssertion('kitchen', { subject: 'Mom', embedding: alice.utter(), issuedAt })))).toBe(
      false,
    );
    expect(burnsNonce(decide(says(alice.utter()), { device: null }))).toBe(false);
  });
});
