import type { EventData, EventType, IntegrationEvent } from '@homeline/contracts';
import { evolveLeg, initialLegState, type CarrierLegEvent } from './carrier-leg';
import { legReleaseFor } from './leg-release';

const now = '2026-11-24T18:01:00.000Z';
const envelope = <T extends EventType>(type: T, data: EventData<T>): IntegrationEvent =>
  ({
    id: '6f1c2a7e-1d5b-4a43-9c39-0d2f8f3c9a11',
    type,
    source: 'calls',
    streamId: 'call-1',
    streamVersion: 4,
    occurredAt: now,
    correlationId: 'call-1',
    causationId: null,
    accountId: 'acc-1',
    data,
  }) as IntegrationEvent;

const requested: CarrierLegEvent = {
  type: 'CarrierLegRequested',
  data: { callId: 'call-1', legId: 'leg-1', e164: '+15550100001', callerId: '+15551230001', emergency: false },
};
const ringingLeg = [
  requested,
  { type: 'CarrierLegRinging' as const, data: { callId: 'call-1', legId: 'leg-1', carrierCallId: 'cc-1' } },
].reduce(evolveLeg, initialLegState);
const timedOut = envelope('CallFailed', { callId: 'call-1', reason: 'timeout', stage: 'answer', failedAt: now });

describe('a carrier leg whose call is over', () => {
  it('is released when the call times out while it rings', () =>
    expect(legReleaseFor(timedOut, ringingLeg, now)).toEqual({ type: 'ReleaseLeg', legId: 'leg-1', now }));

  it('is released when the caller hangs up', () =>
    expect(
      legReleaseFor(
        envelope('CallEnded', { callId: 'call-1', duration: 0, cause: 'cancelled', endedAt: now }),
        ringingLeg,
        now,
      ),
    ).toEqual({
      type: 'ReleaseLeg',
      legId: 'leg-1',
      now,
    }));

  it('is left alone when it already ended', () => {
    const ended = evolveLeg(ringingLeg, {
      type: 'CarrierLegFailed',
      data: { callId: 'call-1', legId: 'leg-1', carrierCallId: 'cc-1', reason: 'busy', sipCode: 486, q850: 17 },
    });
    expect(legReleaseFor(timedOut, ended, now)).toBeNull();
  });

  it('is not touched by other events', () =>
    expect(legReleaseFor(envelope('CallRinging', { callId: 'call-1', deadline: now }), ringingLeg, now)).toBeNull());
});
