import { deciderSpecification } from '@homeline/testing';
import type { CarrierLegEvent, CarrierLegState } from './carrier-leg';
import { evolveLeg, initialLegState } from './carrier-leg';
import { decideLeg, type CarrierLegCommand, type RecordCarrierStatus } from './carrier-leg.decide';

const given = deciderSpecification<CarrierLegCommand, CarrierLegEvent, CarrierLegState>({
  decide: decideLeg,
  evolve: evolveLeg,
  initialState: initialLegState(),
});

const t = (s: number) => new Date(Date.parse('2026-11-24T18:00:00.000Z') + s * 1000).toISOString();
const ref = { callId: 'call-1', legId: 'leg-1' };
const onCarrier = { ...ref, carrierCallId: 'cc-1' };
const requested: CarrierLegEvent = {
  type: 'CarrierLegRequested',
  data: { ...ref, e164: '+15550100001', callerId: '+15551230001', emergency: false },
};
const ringing: CarrierLegEvent = { type: 'CarrierLegRinging', data: onCarrier };
const answered: CarrierLegEvent = { type: 'CarrierLegAnswered', data: { ...onCarrier, answeredAt: t(3) } };
const callback = (
  status: RecordCarrierStatus['status'],
  sequence: number,
  now: string,
  extra: Partial<RecordCarrierStatus> = {},
): RecordCarrierStatus => ({
  type: 'RecordCarrierStatus',
  legId: 'leg-1',
  carrierCallId: 'cc-1',
  status,
  sequence,
  appliedSequence: null,
  now,
  ...extra,
});

describe('a leg asked of the carrier', () => {
  const request = {
    type: 'RequestLeg',
    ...ref,
    e164: '+15550100001',
    callerId: '+15551230001',
    emergency: false,
  } as const;

  it('is requested with the number and the line it calls from', () => given([]).when(request).then([requested]));

  it('is requested once, even when asked again', () => given([requested]).when(request).thenNothingHappens());
});

describe('a requested carrier leg', () => {
  it('rings when the carrier says so', () =>
    given([requested])
      .when(callback('ringing', 1, t(1)))
      .then([ringing]));

  it('is answered even if the ringing callback never came', () =>
    given([requested])
      .when(callback('answered', 2, t(3)))
      .then([answered]));

  it('fails as busy with the SIP code and Q.850 cause given', () =>
    given([requested, ringing])
      .when(callback('busy', 2, t(2), { sipCode: 486, q850: 17 }))
      .then([{ type: 'CarrierLegFailed', data: { ...onCarrier, reason: 'busy', sipCode: 486, q850: 17 } }]));

  it('fails as no_answer, with standard codes when the carrier gives none', () =>
    given([requested, ringing])
      .when(callback('no_answer', 2, t(30)))
      .then([{ type: 'CarrierLegFailed', data: { ...onCarrier, reason: 'no_answer', sipCode: 480, q850: 19 } }]));

  it('is released by us without ever reaching the carrier', () =>
    given([requested])
      .when({ type: 'ReleaseLeg', legId: 'leg-1', now: t(1) })
      .then([{ type: 'CarrierLegEnded', data: { ...ref, carrierCallId: null, duration: 0, releasedBy: 'local' } }]));

  it('cannot take callbacks before it was requested', () =>
    given([])
      .when(callback('ringing', 1, t(1)))
      .thenThrows('leg_not_found'));
});

describe('carrier callbacks delivered twice or out of order', () => {
  it('has one effect when the same callback comes twice', () =>
    given([requested, ringing])
      .when(callback('ringing', 1, t(1)))
      .thenNothingHappens());

  it('ignores a ringing that arrives after the answer', () =>
    given([requested, answered])
      .when(callback('ringing', 1, t(4)))
      .thenNothingHappens());

  it('records the answer and the end when completed overtakes answered', () =>
    given([requested, ringing])
      .when(callback('completed', 3, t(13), { duration: 10 }))
      .then([
        { type: 'CarrierLegAnswered', data: { ...onCarrier, answeredAt: t(3) } },
        { type: 'CarrierLegEnded', data: { ...onCarrier, duration: 10, releasedBy: 'remote' } },
      ]));

  it('takes a completed with no duration (the status callback carries none) for an answer and an end, not a failure', () =>
    given([requested, ringing])
      .when(callback('completed', 3, t(13), { sipCode: 200, q850: 16 }))
      .then([
        { type: 'CarrierLegAnswered', data: { ...onCarrier, answeredAt: t(13) } },
        { type: 'CarrierLegEnded', data: { ...onCarrier, duration: 0, releasedBy: 'remote', sipCode: 200, q850: 16 } },
      ]));

  it('never moves a failed leg, even for a late answer', () =>
    given([
      requested,
      ringing,
      { type: 'CarrierLegFailed', data: { ...onCarrier, reason: 'no_answer', sipCode: 480, q850: 19 } },
    ])
      .when(callback('answered', 2, t(31)))
      .thenNothingHappens());

  it('never moves an ended leg', () =>
    given([requested, answered, { type: 'CarrierLegEnded', data: { ...onCarrier, duration: 5, releasedBy: 'local' } }])
      .when(callback('completed', 4, t(9), { duration: 5 }))
      .thenNothingHappens());

  it("ignores another carrier call's callback", () =>
    given([requested, ringing])
      .when(callback('answered', 2, t(3), { carrierCallId: 'cc-other' }))
      .thenNothingHappens());

  it('ignores a callback older than one already applied, even one that would end the leg', () =>
    given([requested, answered])
      .when(callback('busy', 5, t(4), { appliedSequence: 10 }))
      .thenNothingHappens());

  it('ignores a different status carrying the sequence already applied', () =>
    given([requested, ringing])
      .when(callback('answered', 2, t(3), { appliedSequence: 2 }))
      .thenNothingHappens());

  it('applies a newer callback after an older one was ignored', () =>
    given([requested, answered])
      .when(callback('completed', 11, t(20), { appliedSequence: 10, duration: 17 }))
      .then([{ type: 'CarrierLegEnded', data: { ...onCarrier, duration: 17, releasedBy: 'remote' } }]));
});

describe('an answered leg', () => {
  it('ends when the far end hangs up, with the duration the carrier reports', () =>
    given([requested, ringing, answered])
      .when(callback('completed', 3, t(20), { duration: 17 }))
      .then([{ type: 'CarrierLegEnded', data: { ...onCarrier, duration: 17, releasedBy: 'remote' } }]));

  it('keeps the SIP code and Q.850 cause the carrier gave for the far end’s release', () =>
    given([requested, ringing, answered])
      .when(callback('completed', 3, t(20), { duration: 17, sipCode: 200, q850: 16 }))
      .then([{ type: 'CarrierLegEnded', data: { ...onCarrier, duration: 17, releasedBy: 'remote', sipCode: 200, q850: 16 } }]));

  it('ends when we release it, timed from the answer', () =>
    given([requested, ringing, answered])
      .when({ type: 'ReleaseLeg', legId: 'leg-1', now: t(63) })
      .then([{ type: 'CarrierLegEnded', data: { ...onCarrier, duration: 60, releasedBy: 'local' } }]));
});

describe('a leg whose call is over', () => {
  const release = { type: 'ReleaseLeg', legId: 'leg-1', now: t(30) } as const;

  it('is released while it rings, when the call times out or the caller hangs up', () =>
    given([requested, ringing])
      .when(release)
      .then([{ type: 'CarrierLegEnded', data: { ...onCarrier, duration: 0, releasedBy: 'local' } }]));

  it('is left alone when it already failed', () =>
    given([requested, { type: 'CarrierLegFailed', data: { ...onCarrier, reason: 'busy', sipCode: 486, q850: 17 } }])
      .when(release)
      .thenNothingHappens());

  it('has nothing to release when it was never requested', () => given([]).when(release).thenNothingHappens());
});

describe('a placement the carrier keeps refusing', () => {
  const giveUp = { type: 'GiveUpPlacement', legId: 'leg-1', now: t(40) } as const;

  it('fails the leg before it reached the carrier', () =>
    given([requested])
      .when(giveUp)
      .then([
        { type: 'CarrierLegFailed', data: { ...ref, carrierCallId: null, reason: 'failed', sipCode: 503, q850: 41 } },
      ]));

  it('fails nothing once a callback proved the leg was placed', () =>
    given([requested, ringing]).when(giveUp).thenNothingHappens());
});
