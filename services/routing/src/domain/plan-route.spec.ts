import type { CallRouting } from '@homeline/contracts';
import { planRoute, type RoutingContext } from './plan-route';

const address = { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' };
const household: RoutingContext = {
  account: { accountId: 'acc-1', msisdn: '+15551230001', address, ownerMemberIds: ['olivia'] },
  member: {
    memberId: 'olivia',
    grants: ['emergency', 'contacts', 'short_code', 'domestic', 'premium', 'international'],
  },
  deviceLocation: { room: 'kitchen', floor: '1' },
  contacts: [{ contactId: 'c1', name: 'Mom', aliases: [], e164: '+15550100001', memberId: 'olivia' }],
  legId: 'leg-1',
};
const asks = (target: string, extra: Partial<CallRouting> = {}): CallRouting => ({
  callId: 'call-1',
  accountId: 'acc-1',
  deviceId: 'kitchen',
  target,
  verified: true,
  memberId: 'olivia',
  assurance: 'high',
  speakerRejection: null,
  deadline: '2026-11-24T18:00:05.000Z',
  ...extra,
});
const unverified = {
  verified: false,
  memberId: null,
  assurance: null,
  speakerRejection: 'speaker_not_verified' as const,
};
const child: RoutingContext['member'] = { memberId: 'olivia', grants: ['emergency', 'contacts'] };

/** given(the projection).when(calls hands a call over).then(routing's events). */
const given = (context: Partial<RoutingContext> = {}) => ({
  when: (request: CallRouting) => ({
    then: (expected: object[]) => expect(planRoute(request, { ...household, ...context })).toMatchObject(expected),
  }),
});

describe('routing a call', () => {
  it('resolves the owner\'s "Mom" and asks the carrier for a leg from the account\'s line', () =>
    given()
      .when(asks('Mom'))
      .then([
        {
          type: 'DestinationResolved',
          data: {
            callId: 'call-1',
            class: 'domestic',
            e164: '+15550100001',
            viaContact: { contactId: 'c1', name: 'Mom', household: false },
          },
        },
        {
          type: 'CarrierLegRequested',
          data: { callId: 'call-1', legId: 'leg-1', e164: '+15550100001', callerId: '+15551230001', emergency: false },
        },
      ]));

  it('refuses a guest calling a domestic number', () =>
    given({ member: { memberId: 'olivia', grants: ['emergency'] } })
      .when(asks('+1 555 010 9999'))
      .then([{ type: 'DestinationRejected', data: { reason: 'not_permitted', class: 'domestic' } }]));

  it('lets a child call a contact', () =>
    given({ member: child })
      .when(asks('Mom'))
      .then([{ type: 'DestinationResolved' }, { type: 'CarrierLegRequested' }]));

  it("lets a child dial a contact's number", () =>
    given({ member: child })
      .when(asks('+1 555 010 0001'))
      .then([
        { type: 'DestinationResolved', data: { viaContact: { contactId: 'c1' } } },
        { type: 'CarrierLegRequested' },
      ]));

  it('refuses a child calling a number that is no contact', () =>
    given({ member: child })
      .when(asks('+1 555 010 9999'))
      .then([{ type: 'DestinationRejected', data: { reason: 'not_permitted' } }]));

  it('asks for high assurance before an international call', () =>
    given()
      .when(asks('+44 20 7946 0958', { assurance: 'standard' }))
      .then([{ type: 'DestinationRejected', data: { reason: 'insufficient_assurance', class: 'international' } }]));

  it('refuses an unknown name', () =>
    given()
      .when(asks('Dad'))
      .then([{ type: 'DestinationRejected', data: { reason: 'unknown_contact' } }]));

  it('refuses an account it has no projection of', () =>
    given({ account: null })
      .when(asks('Mom'))
      .then([{ type: 'DestinationRejected', data: { reason: 'unknown_account' } }]));
});

describe('routing an emergency call', () => {
  it('routes 911 from an unverified speaker with the address and room, and notifies the owner', () =>
    given({ member: null })
      .when(asks('911', unverified))
      .then([
        { type: 'DestinationResolved', data: { class: 'emergency', e164: '911' } },
        {
          type: 'CarrierLegRequested',
          data: { e164: '911', emergency: true, address, location: { room: 'kitchen', floor: '1' } },
        },
        {
          type: 'EmergencyOwnerNotified',
          data: { callId: 'call-1', accountId: 'acc-1', ownerMemberId: 'olivia', e164: '911', address },
        },
      ]));

  it('routes 911 for a guest', () =>
    given({ member: { memberId: 'olivia', grants: ['emergency'] } })
      .when(asks('911'))
      .then([
        { type: 'DestinationResolved', data: { class: 'emergency' } },
        { type: 'CarrierLegRequested', data: { emergency: true } },
        { type: 'EmergencyOwnerNotified' },
      ]));

  it('refuses an unverified speaker anything else, with the speaker reason', () => {
    given({ member: null })
      .when(asks('+1 555 010 9999', unverified))
      .then([{ type: 'DestinationRejected', data: { reason: 'speaker_not_verified', class: 'domestic' } }]);
    given({ member: null })
      .when(asks('Mom', { ...unverified, speakerRejection: 'low_liveness' }))
      .then([{ type: 'DestinationRejected', data: { reason: 'low_liveness' } }]);
  });
});
