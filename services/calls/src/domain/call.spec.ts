import { initialCallState, evolve, type CallState } from './call';
import type { CallCommand } from './call.commands';
import type { CallEvent } from './call.events';
import { decide } from './call.decide';
import { at, callId, connected, requested, ringing, routed, routing, t0, voice } from './call.fixtures';
import { deciderSpecification } from '@homeline/testing';

const given = deciderSpecification<CallCommand, CallEvent, CallState>({
  decide: (c, s) => decide(c, s),
  evolve,
  initialState: initialCallState,
});

describe('a new call', () => {
  it('is requested and waits for identity until its verification deadline', () =>
    given([])
      .when({ type: 'RequestCall', callId, now: t0, deviceId: 'kitchen', target: 'Mom', voice })
      .then([requested]));

  it('goes to routing at once, unverified, when the edge recognised an emergency call from a linked device', () =>
    given([])
      .when({ type: 'RequestCall', callId, now: t0, deviceId: 'kitchen', target: '911', voice, emergency: { accountId: 'acc-1' } })
      .then([
        { ...requested, data: { ...requested.data, target: '911' } },
        {
          type: 'CallRouting',
          data: {
            callId, accountId: 'acc-1', deviceId: 'kitchen', target: '911', verified: false, memberId: null,
            assurance: null, speakerRejection: null, deadline: at(120), // CALL_EMERGENCY_SETUP_TIMEOUT_MS
          },
        },
      ]));

  it('records, and does not wait for, identity once an emergency call is routing', () =>
    given([requested, { ...routing, data: { ...routing.data, verified: false, memberId: null, assurance: null } }])
      .when({ type: 'RecordRejection', callId, now: at(1), by: 'identity', reason: 'replayed_assertion', accountId: 'acc-1' })
      .thenNothingHappens());

  it('cannot be requested twice', () =>
    given([requested])
      .when({ type: 'RequestCall', callId, now: t0, deviceId: 'kitchen', target: 'Mom', voice })
      .thenThrows('call_already_exists'));

  it('cannot be acted on before it exists', () =>
    given([]).when({ type: 'ConnectCall', callId, now: t0 }).thenThrows('call_not_found'));
});

describe('a call waiting for identity', () => {
  it('goes to routing once the speaker is verified', () =>
    given([requested])
      .when({
        type: 'RecordVerification',
        callId,
        now: at(1),
        accountId: 'acc-1',
        memberId: 'alice',
        assurance: 'high',
      })
      .then([routing]));

  it('is rejected when the device cannot be trusted', () =>
    given([requested])
      .when({
        type: 'RecordRejection',
        callId,
        now: at(1),
        by: 'identity',
        reason: 'replayed_assertion',
        accountId: 'acc-1',
      })
      .then([{ type: 'CallRejected', data: { callId, reason: 'replayed_assertion', rejectedAt: at(1) } }]));

  it('still goes to routing, unverified, when only the speaker is unknown, in case it is an emergency call', () =>
    given([requested])
      .when({
        type: 'RecordRejection',
        callId,
        now: at(1),
        by: 'identity',
        reason: 'speaker_not_verified',
        accountId: 'acc-1',
      })
      .then([
        {
          type: 'CallRouting',
          data: {
            ...routing.data,
            verified: false,
            memberId: null,
            assurance: null,
            speakerRejection: 'speaker_not_verified',
          },
        },
      ]));

  it('is rejected when the speaker is unknown and the device is linked to no account', () =>
    given([requested])
      .when({
        type: 'RecordRejection',
        callId,
        now: at(1),
        by: 'identity',
        reason: 'speaker_not_verified',
        accountId: null,
      })
      .then([{ type: 'CallRejected', data: { callId, reason: 'speaker_not_verified', rejectedAt: at(1) } }]));

  it('fails with timeout when the verification deadline passes', () =>
    given([requested])
      .when({ type: 'ExpireDeadline', callId, now: at(5) })
      .then([{ type: 'CallFailed', data: { callId, reason: 'timeout', stage: 'verification', failedAt: at(5) } }]));

  it('ignores a timer that fires before the deadline', () =>
    given([requested])
      .when({ type: 'ExpireDeadline', callId, now: at(4) })
      .thenNothingHappens());

  it('is cancelled when the caller hangs up', () =>
    given([requested])
      .when({ type: 'HangUp', callId, now: at(1), by: 'caller' })
      .then([{ type: 'CallEnded', data: { callId, duration: 0, cause: 'cancelled', endedAt: at(1) } }]));
});

describe('a call being routed', () => {
  it('waits for the carrier leg to ring once routing resolves the destination', () =>
    given([requested, routing])
      .when({ type: 'RecordRouting', callId, now: at(2), class: 'domestic', e164: '+15550100001' })
      .then([routed]));

  it('gives a call that may be an emergency one, and its emergency leg, CALL_EMERGENCY_SETUP_TIMEOUT_MS: the carrier is tried again, not given up on after 10 s', () => {
    const police = { ...requested, data: { ...requested.data, target: 'police' } };
    given([police])
      .when({ type: 'RecordVerification', callId, now: at(1), accountId: 'acc-1', memberId: 'alice', assurance: 'high' })
      .then([{ ...routing, data: { ...routing.data, target: 'police', deadline: at(1 + 120) } }]);
    given([police, { ...routing, data: { ...routing.data, target: 'police' } }])
      .when({ type: 'RecordRouting', callId, now: at(2), class: 'emergency', e164: '911' })
      .then([{ type: 'CallRouted', data: { callId, class: 'emergency', e164: '911', deadline: at(2 + 120) } }]);
  });

  it('is rejected with the reason routing gives', () =>
    given([requested, routing])
      .when({ type: 'RecordRejection', callId, now: at(2), by: 'routing', reason: 'ambiguous_contact' })
      .then([{ type: 'CallRejected', data: { callId, reason: 'ambiguous_contact', rejectedAt: at(2) } }]));

  it('is not rejected again by a redelivered identity refusal', () =>
    given([requested, routing])
      .when({
        type: 'RecordRejection',
        callId,
        now: at(2),
        by: 'identity',
        reason: 'speaker_not_verified',
        accountId: 'acc-1',
      })
      .thenNothingHappens());

  it('starts ringing when the carrier says so', () =>
    given([requested, routing, routed])
      .when({ type: 'RecordRinging', callId, now: at(3) })
      .then([ringing]));

  it('fails with timeout when routing never answers', () =>
    given([requested, routing])
      .when({ type: 'ExpireDeadline', callId, now: at(6) })
      .then([{ type: 'CallFailed', data: { callId, reason: 'timeout', stage: 'routing', failedAt: at(6) } }]));

  it('fails with timeout when the carrier leg never rings', () =>
    given([requested, routing, routed])
      .when({ type: 'ExpireDeadline', callId, now: at(12) })
      .then([{ type: 'CallFailed', data: { callId, reason: 'timeout', stage: 'ringing', failedAt: at(12) } }]));

  it('connects when an answer overtakes the ringing callback', () =>
    given([requested, routing, routed])
      .when({ type: 'ConnectCall', callId, now: at(5) })
      .then([connected]));
});

describe('a ringing call', () => {
  const ringingCall = [requested, routing, routed, ringing];

  it('connects when the far end answers', () =>
    given(ringingCall)
      .when({ type: 'ConnectCall', callId, now: at(5) })
      .then([connected]));

  it('fails as busy with the SIP code and Q.850 cause of the leg', () =>
    given(ringingCall)
      .when({ type: 'FailCall', callId, now: at(5), reason: 'busy', sipCode: 486, q850: 17 })
      .then([{ type: 'CallFailed', data: { callId, reason: 'busy', sipCode: 486, q850: 17, failedAt: at(5) } }]));

  it('dials an emergency call again when its leg fails, twice, waiting each time for the new leg to ring; then fails it', () => {
    const emergencyRouted = { ...routed, data: { ...routed.data, class: 'emergency' as const, e164: '911' } };
    const busy = (now: string) => ({ type: 'FailCall' as const, callId, now, reason: 'busy' as const, sipCode: 486, q850: 17 });
    const redial = (attempt: number, now: number) => ({
      type: 'EmergencyRedialRequested' as const,
      data: { callId, attempt, reason: 'busy' as const, sipCode: 486, q850: 17, deadline: at(now + 120) },
    });
    given([requested, routing, emergencyRouted, ringing]).when(busy(at(5))).then([redial(1, 5)]);
    given([requested, routing, emergencyRouted, redial(1, 5)]).when(busy(at(9))).then([redial(2, 9)]);
    given([requested, routing, emergencyRouted, redial(1, 5), ringing, redial(2, 9)])
      .when(busy(at(14)))
      .then([{ type: 'CallFailed', data: { callId, reason: 'busy', sipCode: 486, q850: 17, failedAt: at(14) } }]);
    // The redial's new leg rings, then answers: the call connects as any other.
    given([requested, routing, emergencyRouted, redial(1, 5)])
      .when({ type: 'RecordRinging', callId, now: at(6) })
      .then([{ type: 'CallRinging', data: { callId, deadline: at(6 + 1_800) } }]);
  });

  it('fails with timeout when nobody answers before the deadline', () =>
    given(ringingCall)
      .when({ type: 'ExpireDeadline', callId, now: at(48) })
      .then([{ type: 'CallFailed', data: { callId, reason: 'timeout', stage: 'answer', failedAt: at(48) } }]));

  it('gives an emergency call-taker CALL_EMERGENCY_ANSWER_TIMEOUT_MS to answer, not 45 s: a queue must not lose the caller', () =>
    given([requested, routing, { ...routed, data: { ...routed.data, class: 'emergency', e164: '911' } }])
      .when({ type: 'RecordRinging', callId, now: at(3) })
      .then([{ type: 'CallRinging', data: { callId, deadline: at(3 + 1_800) } }]));

  it('ignores a repeated ringing callback', () =>
    given(ringingCall)
      .when({ type: 'RecordRinging', callId, now: at(4) })
      .thenNothingHappens());
});

describe('a connected call', () => {
  const talking = [requested, routing, routed, ringing, connected];

  it('ends when the caller hangs up, with its duration', () =>
    given(talking)
      .when({ type: 'HangUp', callId, now: at(65), by: 'caller' })
      .then([{ type: 'CallEnded', data: { callId, duration: 60, cause: 'hung_up', endedAt: at(65) } }]));

  it('ends when the far end hangs up', () =>
    given(talking)
      .when({ type: 'HangUp', callId, now: at(15), by: 'remote' })
      .then([{ type: 'CallEnded', data: { callId, duration: 10, cause: 'remote_hung_up', endedAt: at(15) } }]));

  it('keeps the SIP code and Q.850 cause the carrier gave for the far end’s release', () =>
    given(talking)
      .when({ type: 'HangUp', callId, now: at(15), by: 'remote', sipCode: 200, q850: 16 })
      .then([{ type: 'CallEnded', data: { callId, duration: 10, cause: 'remote_hung_up', endedAt: at(15), sipCode: 200, q850: 16 } }]));

  it('has no deadline to miss', () =>
    given(talking)
      .when({ type: 'ExpireDeadline', callId, now: at(600) })
      .thenNothingHappens());
});

describe('a finished call', () => {
  const timedOut = [
    requested,
    routing,
    routed,
    ringing,
    {
      type: 'CallFailed' as const,
      data: { callId, reason: 'timeout' as const, stage: 'answer' as const, failedAt: at(48) },
    },
  ];

  it('is not revived by a late answer after a timeout', () =>
    given(timedOut)
      .when({ type: 'ConnectCall', callId, now: at(49) })
      .thenNothingHappens());

  it('stays ended whatever arrives later', () => {
    const ended = [
      requested,
      routing,
      routed,
      ringing,
      connected,
      { type: 'CallEnded' as const, data: { callId, duration: 1, cause: 'hung_up' as const, endedAt: at(6) } },
    ];
    given(ended)
      .when({ type: 'FailCall', callId, now: at(7), reason: 'carrier_failed' })
      .thenNothingHappens();
    given(ended)
      .when({ type: 'HangUp', callId, now: at(7), by: 'caller' })
      .thenNothingHappens();
  });

  it('stays rejected when a verification arrives late', () =>
    given([requested, { type: 'CallRejected', data: { callId, reason: 'not_permitted', rejectedAt: at(1) } }])
      .when({
        type: 'RecordVerification',
        callId,
        now: at(2),
        accountId: 'acc-1',
        memberId: 'alice',
        assurance: 'high',
      })
      .thenNothingHappens());
});
