import type { CallRouting } from '@homeline/contracts';
import type { Metering } from './call-limits';
import { planRoute, type RoutingContext } from './plan-route';
import { asks, child, household, unverified, used } from './plan-route.fixtures';

/**
 * given(the projection, what the caller has used of the limits).when(calls hands a call over)
 * .then(routing's events, no more: arrays match in length).
 */
const given = (context: Partial<RoutingContext> = {}, metering: Metering = used()) => ({
  when: (request: CallRouting) => ({
    then: (expected: object[]) => expect(planRoute(request, { ...household, ...context }, metering)).toMatchObject(expected),
  }),
});

describe('the outbound limits (docs/architecture.md section 6.2)', () => {
  const limited = (cls: string) => [{ type: 'DestinationRejected', data: { callId: 'call-1', reason: 'rate_limited', class: cls } }];
  const routed = (cls: string) => [{ type: 'DestinationResolved', data: { class: cls } }];

  it('routes a call just inside every limit', () =>
    given({}, used({ device: 9, account: 19, liveLegs: 3, international: 19, premium: 4 }))
      .when(asks('+44 20 7946 0958'))
      .then(routed('international')));

  it("refuses a device's 11th call in a minute", () =>
    given({}, used({ device: 10, account: 10 })).when(asks('Mom')).then(limited('domestic')));

  it("refuses any device once the account's minute is used up", () =>
    given({}, used({ device: 0, account: 20 })).when(asks('+1 555 010 9999')).then(limited('domestic')));

  it('refuses a call while the line carries its most concurrent calls', () =>
    given({}, used({ liveLegs: 4 })).when(asks('411')).then(limited('short_code')));

  it("refuses an international call over the day's budget, and lets a domestic one through", () => {
    given({}, used({ international: 20 })).when(asks('+44 20 7946 0958')).then(limited('international'));
    given({}, used({ international: 20 })).when(asks('Mom')).then(routed('domestic'));
  });

  it("refuses a premium call over the day's budget, whatever is left of the international one", () =>
    given({}, used({ premium: 5 })).when(asks('+1 900 555 0100')).then(limited('premium')));

  it('routes an emergency call at every limit at once, however it is asked for', () => {
    const exhausted = used({ device: 99, account: 99, liveLegs: 99, international: 99, premium: 99 });
    for (const target of ['911', 'nine one one', 'emergency'])
      given({}, exhausted)
        .when(asks(target))
        .then([{ type: 'DestinationResolved', data: { class: 'emergency' } }, { type: 'EmergencyOwnerNotified' }]);
    given({ member: null }, exhausted)
      .when(asks('911', unverified))
      .then([{ type: 'DestinationResolved', data: { class: 'emergency' } }, { type: 'EmergencyOwnerNotified' }]);
  });

  it('keeps the first reason of a call refused anyway: grants and the speaker come before the limits', () => {
    const exhausted = used({ device: 10 });
    given({ member: child }, exhausted)
      .when(asks('+1 555 010 9999'))
      .then([{ type: 'DestinationRejected', data: { reason: 'not_permitted' } }]);
    given({ member: null }, exhausted)
      .when(asks('Mom', unverified))
      .then([{ type: 'DestinationRejected', data: { reason: 'speaker_not_verified' } }]);
    given({}, exhausted).when(asks('Dad')).then([{ type: 'DestinationRejected', data: { reason: 'unknown_contact' } }]);
  });
});
