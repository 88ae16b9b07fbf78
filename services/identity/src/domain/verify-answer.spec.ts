import type { VoiceAssertion } from '@homeline/contracts';
import { forgedAssertion, simulatedDevice, simulatedSpeaker, staleAssertion } from '@homeline/device-sim';
import type { MemberPermissions } from './permissions';
import { verifyAnswer, type AnswerContext, type AnswerDecision } from './verify-answer';

const requestedAt = '2026-11-24T22:30:05.000Z';
const issuedAt = '2026-11-24T22:30:00.000Z';
const kitchen = simulatedDevice('kitchen');
const [olivia, adam, chloe, gus] = ['olivia', 'adam', 'chloe', 'gus'].map((name) => simulatedSpeaker(name));
const stranger = simulatedSpeaker('stranger');
const roles: Record<string, MemberPermissions> = {
  olivia: { role: 'owner' },
  adam: { role: 'adult' },
  chloe: { role: 'child' },
  gus: { role: 'guest' },
};

const household: AnswerContext = {
  callId: 'call-7',
  answerId: 'answer-1',
  accountId: 'acc-1',
  deviceId: 'kitchen',
  callerIsContactOf: [],
  sensitive: false,
  device: { deviceId: 'kitchen', accountId: 'acc-1', publicKey: kitchen.publicKey },
  nonceSeen: false,
  enrolled: [olivia, adam, chloe, gus].map((s) => ({ memberId: s.seed, embedding: s.voiceprint })),
  members: new Map(Object.entries(roles)),
  now: requestedAt,
};

/** An answer as the kitchen speaker signs it: answer-call, subject the call id. */
const answers = (embedding: number[], extra: { subject?: string; purpose?: 'place-call' } = {}): VoiceAssertion =>
  kitchen.assert({ purpose: 'answer-call', subject: 'call-7', embedding, issuedAt, ...extra });

/** given(the call and household).when(an answer arrives).then(the decision). */
const given = (context: Partial<AnswerContext> = {}) => ({
  when: (assertion: VoiceAssertion) => ({
    then: (expected: { type: AnswerDecision['type']; data: object }) =>
      expect(verifyAnswer(assertion, { ...household, ...context })).toMatchObject(expected),
  }),
});
const authorized = (memberId: string, assurance = 'high') => ({
  type: 'AnswerAuthorized' as const,
  data: { callId: 'call-7', answerId: 'answer-1', accountId: 'acc-1', deviceId: 'kitchen', memberId, assurance },
});
const refused = (reason: string, memberId: string | null = null) => ({
  type: 'AnswerRefused' as const,
  data: { callId: 'call-7', answerId: 'answer-1', accountId: 'acc-1', deviceId: 'kitchen', memberId, reason },
});
const fromContact = { callerIsContactOf: [null] };
const sensitive = { sensitive: true };

describe('an answer to an ordinary inbound call', () => {
  it("is taken from the owner's voice", () => given().when(answers(olivia.utter())).then(authorized('olivia')));
  it("is taken from an adult's voice", () => given().when(answers(adam.utter())).then(authorized('adam')));
  it('is refused to a child when the caller is no contact', () =>
    given().when(answers(chloe.utter())).then(refused('not_permitted', 'chloe')));
  it("is taken from a child when the caller is a household contact", () =>
    given(fromContact).when(answers(chloe.utter())).then(authorized('chloe')));
  it("is taken from a child when the caller is the child's own contact", () =>
    given({ callerIsContactOf: ['olivia', 'chloe'] }).when(answers(chloe.utter())).then(authorized('chloe')));
  it("is refused to a child when the caller is only a parent's own contact", () =>
    given({ callerIsContactOf: ['olivia', 'adam'] }).when(answers(chloe.utter())).then(refused('not_permitted', 'chloe')));
  it('is refused to a guest, even for a contact', () =>
    given(fromContact).when(answers(gus.utter())).then(refused('not_permitted', 'gus')));
  it('is taken from a guest granted contacts, for a contact', () =>
    given({ ...fromContact, members: new Map([...household.members, ['gus', { role: 'guest', overrides: { grant: ['contacts'] } }]]) })
      .when(answers(gus.utter()))
      .then(authorized('gus')));
  it('names the scores of a refused member', () => {
    const decision = verifyAnswer(answers(chloe.utter()), household);
    expect(decision.data).toMatchObject({ score: expect.any(Number), liveness: 0.97 });
  });
});

describe('an answer to a sensitive call', () => {
  it('is taken from the owner recognised with high assurance', () =>
    given(sensitive).when(answers(olivia.utter({ similarity: 0.93 }))).then(authorized('olivia', 'high')));
  it('is refused to the owner recognised only at the standard thresholds', () =>
    given(sensitive).when(answers(olivia.utter({ similarity: 0.8 }))).then(refused('insufficient_assurance', 'olivia')));
  it('is refused to an adult without answer_sensitive, however clear the voice', () =>
    given(sensitive).when(answers(adam.utter({ similarity: 0.95 }))).then(refused('not_permitted', 'adam')));
  it('is taken from an adult once granted answer_sensitive', () =>
    given({ ...sensitive, members: new Map([...household.members, ['adam', { role: 'adult', overrides: { grant: ['answer_sensitive'] } }]]) })
      .when(answers(adam.utter({ similarity: 0.95 })))
      .then(authorized('adam', 'high')));
  it("is refused to a child even when it is a contact's", () =>
    given({ ...sensitive, ...fromContact }).when(answers(chloe.utter({ similarity: 0.95 }))).then(refused('not_permitted', 'chloe')));
});

describe('the voice of an answer, verified as a placed call\'s', () => {
  it('refuses a voice nobody enrolled', () => given().when(answers(stranger.utter())).then(refused('speaker_not_verified')));
  it('refuses a replayed assertion', () => given({ nonceSeen: true }).when(answers(olivia.utter())).then(refused('replayed_assertion')));
  it('refuses an assertion made to answer another call', () =>
    given().when(answers(olivia.utter(), { subject: 'call-8' })).then(refused('assertion_mismatch')));
  it('refuses an assertion made to place a call', () =>
    given().when(answers(olivia.utter(), { purpose: 'place-call' })).then(refused('assertion_mismatch')));
  it('refuses an assertion issued outside the window of the request', () =>
    given().when(staleAssertion(kitchen, { purpose: 'answer-call', subject: 'call-7', embedding: olivia.utter() }, 31, requestedAt)).then(refused('stale_assertion')));
  it("refuses a forgery of the device's signature", () =>
    given().when(forgedAssertion('kitchen', { purpose: 'answer-call', subject: 'call-7', embedding: olivia.utter(), issuedAt })).then(refused('invalid_signature')));
  it('refuses a device linked to another household as unlinked, naming only the call\'s account', () =>
    given({ device: { deviceId: 'kitchen', accountId: 'acc-2', publicKey: kitchen.publicKey } })
      .when(answers(olivia.utter()))
      .then(refused('unlinked_device')));
  it('refuses a device linked to no household', () => given({ device: null }).when(answers(olivia.utter())).then(refused('unlinked_device')));
});

describe('an answer whose voice is not a sane vector (issue 11, finding 4)', () => {
  it('is refused as not verified when its score would be NaN', () =>
    given().when(answers(olivia.voiceprint.map((x) => Math.sign(x) * 1e308))).then(refused('speaker_not_verified')));
});

describe('an answer from a device held for an owner\'s approval', () => {
  it('is refused, even in the owner\'s voice', () =>
    given({ device: { ...household.device!, held: true } }).when(answers(olivia.utter())).then(refused('device_pending_approval')));
});
