import type { CarrierLegEvent } from './carrier-leg';
import { redialLeg } from './emergency-redial';

const requested = (legId: string, emergency = true): CarrierLegEvent => ({
  type: 'CarrierLegRequested',
  data: {
    callId: 'call-1', legId, e164: '911', callerId: '+15551230001', emergency,
    address: { line1: '742 Evergreen Terrace', city: 'Springfield', region: 'OR', postalCode: '97403', country: 'US' },
    location: { room: 'Kitchen' },
  },
});
const busy = (legId: string): CarrierLegEvent => ({
  type: 'CarrierLegFailed',
  data: { callId: 'call-1', legId, carrierCallId: `cc-${legId}`, reason: 'busy', sipCode: 486, q850: 17 },
});
const ringing = (legId: string): CarrierLegEvent => ({ type: 'CarrierLegRinging', data: { callId: 'call-1', legId, carrierCallId: `cc-${legId}` } });

describe('dialling an emergency call again', () => {
  it('asks a new leg for what the call asked for, once every leg of the call has failed', () => {
    const { legId: _old, ...asked } = requested('leg-1').data as { legId: string };
    expect(redialLeg([[requested('leg-1'), busy('leg-1')], [requested('leg-2'), busy('leg-2')]], 'leg-3')).toEqual({ type: 'RequestLeg', ...asked, legId: 'leg-3' });
  });

  it('dials nothing while a leg of the call is still up', () =>
    expect(redialLeg([[requested('leg-1'), busy('leg-1')], [requested('leg-2'), ringing('leg-2')]], 'leg-3')).toBeNull());

  it('dials nothing for a call that was not an emergency call, or has no leg: a message does not make it one', () => {
    expect(redialLeg([[requested('leg-1', false), busy('leg-1')]], 'leg-2')).toBeNull();
    expect(redialLeg([], 'leg-1')).toBeNull();
  });
});
