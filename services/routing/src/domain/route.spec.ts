import type { CallRouting } from '@homeline/contracts';
import { deciderSpecification } from '@homeline/testing';
import { noUsage } from './call-limits';
import type { RoutingContext } from './plan-route';
import { evolveRoute, initialRouteState, type RouteEvent, type RouteState } from './route';
import { decideRoute, legRequestFor, type RouteCall } from './route.decide';

const given = deciderSpecification<RouteCall, RouteEvent, RouteState>({
  decide: decideRoute,
  evolve: evolveRoute,
  initialState: initialRouteState(),
});

const address = { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' };
const context: RoutingContext = {
  account: { accountId: 'acc-1', msisdn: '+15551230001', address, ownerMemberIds: ['olivia'] },
  member: { memberId: 'olivia', grants: ['emergency', 'domestic'] },
  device: { location: { room: 'kitchen' } },
  contacts: [],
};
const limits = { devicePerMinute: 10, accountPerMinute: 20, dailyInternational: 20, dailyPremium: 5, concurrentPerLine: 4 };
const request = (target: string): CallRouting => ({
  callId: 'call-1',
  accountId: 'acc-1',
  deviceId: 'kitchen',
  target,
  verified: true,
  memberId: 'olivia',
  assurance: 'standard',
  speakerRejection: null,
  deadline: '2026-11-24T18:00:05.000Z',
});
const routeCall = (target: string): RouteCall => ({
  type: 'RouteCall',
  request: request(target),
  context,
  legId: 'leg-1',
  metering: { limits, usage: noUsage },
});
const resolved: RouteEvent = {
  type: 'DestinationResolved',
  data: { callId: 'call-1', accountId: 'acc-1', class: 'domestic', e164: '+15550109999', viaContact: null },
};

describe('the routing decision of a call', () => {
  it('is made when calls hands the call over', () => given([]).when(routeCall('+1 555 010 9999')).then([resolved]));

  it('is made once: a CallRouting sent again changes nothing', () =>
    given([resolved]).when(routeCall('+1 555 010 9999')).thenNothingHappens());

  it('stays a refusal when the call is handed over again', () =>
    given([{ type: 'DestinationRejected', data: { callId: 'call-1', reason: 'not_permitted' } }])
      .when(routeCall('+1 555 010 9999'))
      .thenNothingHappens());
});

describe('the carrier leg a decision asks for', () => {
  it('calls the resolved number from the account line', () =>
    expect(legRequestFor(routeCall('+1 555 010 9999'), [resolved])).toEqual({
      type: 'RequestLeg',
      legId: 'leg-1',
      callId: 'call-1',
      e164: '+15550109999',
      callerId: '+15551230001',
      emergency: false,
    }));

  it('carries the registered address and the room for an emergency call', () => {
    const command = routeCall('911');
    expect(legRequestFor(command, decideRoute(command, initialRouteState()))).toMatchObject({
      e164: '911',
      emergency: true,
      address,
      location: { room: 'kitchen' },
    });
  });

  it('is none when the call was refused or already decided', () => {
    expect(
      legRequestFor(routeCall('Dad'), [
        { type: 'DestinationRejected', data: { callId: 'call-1', reason: 'unknown_contact' } },
      ]),
    ).toBeNull();
    expect(legRequestFor(routeCall('+1 555 010 9999'), [])).toBeNull();
  });
});
