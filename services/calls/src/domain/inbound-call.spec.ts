import { deciderSpecification } from '@homeline/testing';
import { callDecider, evolveCall, type AnyCallCommand, type AnyCallEvent, type AnyCallState } from './call-decider';
import { initialCallState } from './call';
import { at, t0 } from './call.fixtures';
import type { InboundCallEvent } from './inbound-call';

const given = deciderSpecification<AnyCallCommand, AnyCallEvent, AnyCallState>(callDecider());
const callId = 'in-1';
const from = '+15550100123';
const voice = {
  deviceId: 'kitchen', purpose: 'answer-call' as const, subject: callId, nonce: 'nonce-0001', issuedAt: t0,
  liveness: 0.97, embedding: [0.1, 0.2], signature: 'c2lnbmF0dXJl',
};
type Of<T extends InboundCallEvent['type']> = Extract<InboundCallEvent, { type: T }>;

const offered: Of<'CallOffered'> = {
  type: 'CallOffered',
  data: {
    callId, accountId: 'acc-1', from, callerName: 'Bank', fromContact: true, sensitive: true,
    devices: ['kitchen', 'bedroom', 'office'], offeredAt: t0, deadline: at(30),
  },
};
const connectedOn = (deviceId: string, memberId = 'alex'): Of<'CallConnected'> => ({
  type: 'CallConnected', data: { callId, memberId, deviceId, e164: from, connectedAt: at(3), direction: 'inbound' },
});
const refused = (deviceId: string, reason: 'not_permitted' | 'already_answered' | 'call_ended', answerId = 'a-2', when = at(4)): Of<'CallAnswerRefused'> => ({
  type: 'CallAnswerRefused', data: { callId, answerId, deviceId, reason, refusedAt: when },
});
const authorized = (deviceId: string, answerId: string, memberId = 'alex', now = at(3)): AnyCallCommand => ({
  type: 'RecordAnswerAuthorized', callId, now, answerId, deviceId, memberId,
});
const stateAfter = (events: readonly AnyCallEvent[]) => events.reduce(evolveCall, initialCallState as AnyCallState);

describe('an inbound call being offered', () => {
  it('rings the devices routing chose until the ring deadline', () =>
    given([])
      .when({ type: 'OfferCall', callId, now: t0, accountId: 'acc-1', from, callerName: 'Bank', fromContact: true, sensitive: true, emergencyCallback: false, devices: ['kitchen', 'bedroom', 'office'] })
      .then([offered]));

  it('opens nothing twice when the offer is delivered again', () =>
    given([offered])
      .when({ type: 'OfferCall', callId, now: at(1), accountId: 'acc-1', from, callerName: 'Bank', fromContact: true, sensitive: true, emergencyCallback: false, devices: ['kitchen'] })
      .thenNothingHappens());

  it('is rejected with the reason when policy declines it', () =>
    given([offered])
      .when({ type: 'DeclineCall', callId, now: at(0), reason: 'quiet_hours' })
      .then([{ type: 'CallRejected', data: { callId, reason: 'quiet_hours', rejectedAt: at(0) } }]));
});

describe('a ringing inbound call', () => {
  it('takes an answer from a ringing device to identity, with what identity needs to judge it', () =>
    given([offered])
      .when({ type: 'RequestAnswer', callId, now: at(2), answerId: 'a-1', deviceId: 'kitchen', voice })
      .then([{ type: 'AnswerRequested', data: { callId, answerId: 'a-1', accountId: 'acc-1', deviceId: 'kitchen', voice, requestedAt: at(2), from, fromContact: true, sensitive: true } }]));

  it("tells identity that a call may be the emergency services calling back, as routing's offer said", () => {
    const callBack: Of<'CallOffered'> = { type: 'CallOffered', data: { ...offered.data, fromContact: false, sensitive: false, emergencyCallback: true } };
    given([])
      .when({ type: 'OfferCall', callId, now: t0, accountId: 'acc-1', from, callerName: 'Bank', fromContact: false, sensitive: false, emergencyCallback: true, devices: ['kitchen', 'bedroom', 'office'] })
      .then([callBack]);
    given([callBack])
      .when({ type: 'RequestAnswer', callId, now: at(2), answerId: 'a-1', deviceId: 'kitchen', voice })
      .then([{ type: 'AnswerRequested', data: { callId, answerId: 'a-1', accountId: 'acc-1', deviceId: 'kitchen', voice, requestedAt: at(2), from, fromContact: false, sensitive: false, emergencyCallback: true } }]);
  });

  it('refuses an answer from a device that was not asked to ring', () =>
    given([offered]).when({ type: 'RequestAnswer', callId, now: at(2), answerId: 'a-1', deviceId: 'garage', voice }).thenThrows('not_ringing'));

  it('connects the first verified answer and cancels the others', () => {
    given([offered]).when(authorized('bedroom', 'a-1')).then([connectedOn('bedroom')]);
    const devices = (stateAfter([offered, connectedOn('bedroom')]) as { devices: unknown }).devices;
    expect(devices).toEqual([
      { deviceId: 'kitchen', state: 'cancelled', reason: 'answered_elsewhere' },
      { deviceId: 'bedroom', state: 'answered' },
      { deviceId: 'office', state: 'cancelled', reason: 'answered_elsewhere' },
    ]);
  });

  it('refuses a second verified answer, even from the same moment: exactly one wins', () =>
    given([offered, connectedOn('bedroom')]).when(authorized('kitchen', 'a-2', 'sam')).then([refused('kitchen', 'already_answered', 'a-2', at(3))]));

  it('changes nothing when the winning answer is delivered again', () =>
    given([offered, connectedOn('bedroom')]).when(authorized('bedroom', 'a-1')).thenNothingHappens());

  it("marks a refused device with identity's reason and keeps the others ringing", () => {
    given([offered])
      .when({ type: 'RecordAnswerRefused', callId, now: at(4), answerId: 'a-2', deviceId: 'kitchen', reason: 'not_permitted' })
      .then([refused('kitchen', 'not_permitted')]);
    const state = stateAfter([offered, refused('kitchen', 'not_permitted')]);
    expect(state).toMatchObject({ status: 'ringing', devices: [{ deviceId: 'kitchen', state: 'refused', reason: 'not_permitted' }, { state: 'ringing' }, { state: 'ringing' }] });
  });

  it('lets a refused device answer again: another voice may be the one allowed', () =>
    given([offered, refused('kitchen', 'not_permitted')])
      .when({ type: 'RequestAnswer', callId, now: at(5), answerId: 'a-3', deviceId: 'kitchen', voice })
      .then([expect.objectContaining({ type: 'AnswerRequested' }) as never]));

  it('ends when the caller hangs up, and every device stops ringing', () => {
    const ended: AnyCallEvent = { type: 'CallEnded', data: { callId, duration: 0, cause: 'caller_hung_up', endedAt: at(6) } };
    given([offered]).when({ type: 'HangUp', callId, now: at(6), by: 'remote' }).then([ended]);
    expect(stateAfter([offered, ended])).toMatchObject({ status: 'ended', devices: [1, 2, 3].map(() => ({ state: 'cancelled', reason: 'caller_hung_up' })) });
  });

  it('stops every device with call_ended when the household hangs up while it rings, as routing tells the devices', () => {
    const ended: AnyCallEvent = { type: 'CallEnded', data: { callId, duration: 0, cause: 'cancelled', endedAt: at(6) } };
    given([offered]).when({ type: 'HangUp', callId, now: at(6), by: 'caller' }).then([ended]);
    expect(stateAfter([offered, ended])).toMatchObject({ status: 'ended', devices: [1, 2, 3].map(() => ({ state: 'cancelled', reason: 'call_ended' })) });
  });

  it('stops a device whose answer was refused too when nobody answers: it rang on until then', () => {
    const failed: AnyCallEvent = { type: 'CallFailed', data: { callId, reason: 'no_answer', failedAt: at(30) } };
    expect(stateAfter([offered, refused('kitchen', 'not_permitted'), failed])).toMatchObject({
      status: 'failed', devices: [1, 2, 3].map(() => ({ state: 'cancelled', reason: 'no_answer' })),
    });
  });

  it('fails with no_answer once its ring deadline passes, and not before', () => {
    given([offered]).when({ type: 'ExpireDeadline', callId, now: at(29) }).thenNothingHappens();
    given([offered]).when({ type: 'ExpireDeadline', callId, now: at(30) }).then([{ type: 'CallFailed', data: { callId, reason: 'no_answer', failedAt: at(30) } }]);
  });
});

describe('an inbound call that is over', () => {
  const failed: AnyCallEvent = { type: 'CallFailed', data: { callId, reason: 'no_answer', failedAt: at(30) } };

  it('refuses an answer request once connected, or ended', () => {
    given([offered, connectedOn('bedroom')]).when({ type: 'RequestAnswer', callId, now: at(5), answerId: 'a-9', deviceId: 'kitchen', voice }).thenThrows('already_answered');
    given([offered, failed]).when({ type: 'RequestAnswer', callId, now: at(31), answerId: 'a-9', deviceId: 'kitchen', voice }).thenThrows('call_ended');
  });

  it('refuses a verified answer that arrives after the end', () =>
    given([offered, failed]).when(authorized('office', 'a-4', 'alex', at(31))).then([refused('office', 'call_ended', 'a-4', at(31))]));

  it("takes no outbound call's news about it: a CarrierLegRinging or a SpeakerVerified naming it changes nothing", () => {
    given([offered]).when({ type: 'RecordRinging', callId, now: at(2) }).then([]);
    given([offered]).when({ type: 'RecordVerification', callId, now: at(2), accountId: 'acc-1', memberId: 'alex', assurance: 'high' }).then([]);
    given([offered, connectedOn('bedroom')]).when({ type: 'FailCall', callId, now: at(5), reason: 'carrier_failed' }).then([]);
  });

  it('ends a connected call when either side hangs up', () =>
    given([offered, connectedOn('bedroom')])
      .when({ type: 'HangUp', callId, now: at(13), by: 'caller' })
      .then([{ type: 'CallEnded', data: { callId, duration: 10, cause: 'hung_up', endedAt: at(13) } }]));
});

describe('an outbound call', () => {
  it('has nothing to answer', () =>
    given([{ type: 'CallRequested', data: { callId, direction: 'outbound', deviceId: 'kitchen', target: 'Mom', voice: { ...voice, purpose: 'place-call', subject: 'Mom' }, requestedAt: t0, deadline: at(5) } }])
      .when({ type: 'RequestAnswer', callId, now: at(1), answerId: 'a-1', deviceId: 'kitchen', voice })
      .thenThrows('not_inbound'));
});
