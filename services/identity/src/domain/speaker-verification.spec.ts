import { forgedAssertion, simulatedDevice, simulatedSpeaker } from '@homeline/device-sim';
import { deciderSpecification } from '@homeline/testing';
import {
  decideVerification, evolveVerification, initialVerificationState, verificationDecider, type VerificationCommand, type VerificationDecision,
  type VerificationState, type VerifyAnswer, type VerifySpeaker,
} from './speaker-verification';
import type { AnswerContext } from './verify-answer';
import type { SpeakerDecision, VerificationContext } from './verify-speaker';

const given = deciderSpecification<VerificationCommand, VerificationDecision, VerificationState>({
  decide: decideVerification,
  evolve: evolveVerification,
  initialState: initialVerificationState,
});

const kitchen = simulatedDevice('kitchen');
const maria = simulatedSpeaker('maria');
const issuedAt = '2026-11-24T18:00:00.000Z';
const context: VerificationContext = {
  callId: 'call-1',
  deviceId: 'kitchen',
  purpose: 'place-call',
  subject: 'Mom',
  device: { deviceId: 'kitchen', accountId: 'acc-1', publicKey: kitchen.publicKey },
  nonceSeen: false,
  enrolled: [{ memberId: 'maria', embedding: maria.voiceprint }],
  now: '2026-11-24T18:00:02.000Z',
};
const verify = (overrides: Partial<VerificationContext> = {}, assertion = kitchen.assert({ subject: 'Mom', embedding: maria.utter({ take: 1 }), issuedAt })): VerifySpeaker => ({
  type: 'VerifySpeaker',
  assertion,
  context: { ...context, ...overrides },
});
const verified: SpeakerDecision = {
  type: 'SpeakerVerified',
  data: { callId: 'call-1', accountId: 'acc-1', deviceId: 'kitchen', memberId: 'maria', score: 0.9, threshold: 0.75, margin: 1, liveness: 0.97, assurance: 'high', decision: 'accept' },
};
const rejected = (reason: 'replayed_assertion' | 'unlinked_device', accountId: string | null = 'acc-1'): SpeakerDecision => ({
  type: 'SpeakerRejected',
  data: { callId: 'call-1', accountId, deviceId: 'kitchen', reason, decision: 'reject' },
});

describe('the verification of a request', () => {
  it('decides who is speaking from what identity gathered when it was asked', () => {
    const [decision] = decideVerification(verify(), initialVerificationState);
    expect(decision).toMatchObject({ type: 'SpeakerVerified', data: { callId: 'call-1', accountId: 'acc-1', memberId: 'maria', decision: 'accept' } });
  });

  it('rejects an assertion whose nonce was burnt before, however genuine', () =>
    given([]).when(verify({ nonceSeen: true })).then([rejected('replayed_assertion')]));

  it('rejects a device linked to no household, with no account', () =>
    given([]).when(verify({ device: null }, forgedAssertion('kitchen', { subject: 'Mom', embedding: maria.utter(), issuedAt })))
      .then([rejected('unlinked_device', null)]));

  it('is decided once: a redelivered request decides nothing more', () =>
    given([verified]).when(verify()).thenNothingHappens());

  it('stays rejected when asked again, even with what would now verify', () =>
    given([rejected('replayed_assertion')]).when(verify()).thenNothingHappens());

  it('remembers the account of its decision for the envelope', () => {
    expect(evolveVerification(verificationDecider.initialState(), verified)).toEqual({ status: 'decided', decision: 'SpeakerVerified', accountId: 'acc-1' });
    expect(evolveVerification(initialVerificationState, rejected('unlinked_device', null))).toMatchObject({ accountId: null });
  });
});

describe('the verification of an answer', () => {
  const answerContext: AnswerContext = {
    callId: 'call-2', answerId: 'answer-1', accountId: 'acc-1', deviceId: 'kitchen', callerIsContactOf: [], sensitive: false,
    device: context.device, nonceSeen: false, enrolled: context.enrolled, members: new Map([['maria', { role: 'child' }]]), now: context.now,
  };
  const answer = (overrides: Partial<AnswerContext> = {}): VerifyAnswer => ({
    type: 'VerifyAnswer',
    assertion: kitchen.assert({ purpose: 'answer-call', subject: 'call-2', embedding: maria.utter({ take: 1 }), issuedAt }),
    context: { ...answerContext, ...overrides },
  });
  const refused: VerificationDecision = {
    type: 'AnswerRefused',
    data: { callId: 'call-2', answerId: 'answer-1', accountId: 'acc-1', deviceId: 'kitchen', memberId: 'maria', reason: 'not_permitted', score: 0.9, liveness: 0.97 },
  };

  it("decides the voice, then who may answer: a child, on a call from no contact, may not", () => {
    const [decision] = decideVerification(answer(), initialVerificationState);
    expect(decision).toMatchObject({ type: 'AnswerRefused', data: { memberId: 'maria', reason: 'not_permitted', accountId: 'acc-1' } });
  });

  it("lets the same child answer a contact's call", () => {
    const [decision] = decideVerification(answer({ callerIsContactOf: [null] }), initialVerificationState);
    expect(decision).toMatchObject({ type: 'AnswerAuthorized', data: { answerId: 'answer-1', memberId: 'maria' } });
  });

  it('is decided once: a redelivered answer decides nothing more, even one that would now be allowed', () =>
    given([refused]).when(answer({ callerIsContactOf: [null] })).thenNothingHappens());

  it("remembers the call's account for the envelope", () =>
    expect(evolveVerification(initialVerificationState, refused)).toEqual({ status: 'decided', decision: 'AnswerRefused', accountId: 'acc-1' }));
});
