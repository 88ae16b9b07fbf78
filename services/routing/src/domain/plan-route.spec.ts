import type { CallRouting } from '@homeline/contracts';
import type { Metering } from './call-limits';
import { planRoute, type RoutingContext } from './plan-route';
import { address, adult, asks, child, household, unverified, used } from './plan-route.fixtures';

/**
 * given(the projection, what the caller has used of the limits).when(calls hands a call over)
 * .then(routing's events, no more: arrays match in length).
 */
const given = (context: Partial<RoutingContext> = {}, metering: Metering = used()) => ({
  when: (request: CallRouting) => ({
    then: (expected: object[]) => expect(planRoute(request, { ...household, ...context }, metering)).toMatchObject(expected),
  }),
});

describe('routing a call', () => {
  it('resolves the owner\'s "Mom" to her number', () =>
    given()
      .when(asks('Mom'))
      .then([
        {
          type: 'DestinationResolved',
          data: {
            callId: 'call-1',
            accountId: 'acc-1',
            class: 'domestic',
            e164: '+15550100001',
            viaContact: { contactId: 'c1', name: 'Mom', household: false },
          },
        },
      ]));

  it('refuses a guest calling a domestic number', () =>
    given({ member: { memberId: 'olivia', grants: ['emergency'] } })
      .when(asks('+1 555 010 9999'))
      .then([{ type: 'DestinationRejected', data: { reason: 'not_permitted', class: 'domestic' } }]));

  it('lets a child call a contact', () =>
    given({ member: child })
      .when(asks('Mom'))
      .then([{ type: 'DestinationResolved' }]));

  it("lets a child dial a contact's number", () =>
    given({ member: child })
      .when(asks('+1 555 010 0001'))
      .then([{ type: 'DestinationResolved', data: { viaContact: { contactId: 'c1' } } }]));

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
      .then([{ type: 'DestinationRejected', data: { callId: 'call-1', reason: 'unknown_account' } }]));

  it('refuses a device it does not know on this account, even for 911', () => {
    given({ device: null })
      .when(asks('Mom'))
      .then([{ type: 'DestinationRejected', data: { callId: 'call-1', reason: 'unlinked_device' } }]);
    given({ device: null, member: null })
      .when(asks('911', unverified))
      .then([{ type: 'DestinationRejected', data: { callId: 'call-1', reason: 'unlinked_device' } }]);
  });

  it('refuses a dial string the numbering plan cannot parse, rather than fail', () =>
    given({ account: { ...household.account!, address: { ...address, country: 'GB' } } })
      .when(asks('00'))
      .then([{ type: 'DestinationRejected', data: { callId: 'call-1', reason: 'invalid_destination' } }]));
});

// Finding 2 of issue 11: a premium or international number saved as a contact was reachable with `contacts` alone.
describe('a contact whose number is premium or international', () => {
  const refusedAs = (cls: string) => [{ type: 'DestinationRejected', data: { reason: 'not_permitted', class: cls } }];

  it('is refused to a child, called by name or alias', () => {
    given({ member: child }).when(asks('Psychic Hotline')).then(refusedAs('premium'));
    given({ member: child }).when(asks('Madame Zora')).then(refusedAs('premium'));
    given({ member: child }).when(asks('Auntie')).then(refusedAs('international'));
  });

  it('is refused to a child dialling its digits', () => {
    given({ member: child }).when(asks('+1 900 555 0100')).then(refusedAs('premium'));
    given({ member: child }).when(asks('+44 20 7946 0958')).then(refusedAs('international'));
  });

  it('is refused to an adult without the premium or international grant, by name or by digits', () => {
    given({ member: adult }).when(asks('Psychic Hotline')).then(refusedAs('premium'));
    given({ member: adult }).when(asks('19005550100')).then(refusedAs('premium'));
    given({ member: adult }).when(asks('Auntie')).then(refusedAs('international'));
    given({ member: adult }).when(asks('+44 20 7946 0958')).then(refusedAs('international'));
  });

  it("is refused to an adult who dials a UK 118 directory that would put the call through, or a +1 area code no country has", () => {
    const inGreatBritain = { ...household.account!, address: { ...household.account!.address, country: 'GB' } };
    given({ member: adult, account: inGreatBritain }).when(asks('118118')).then(refusedAs('premium'));
    given({ member: adult }).when(asks('+1 456 555 1234')).then(refusedAs('international'));
  });

  it('is refused abroad to a member holding premium but not international: premium-rate lines abroad are the classic toll fraud', () => {
    const premiumOnly = { ...adult!, grants: [...adult!.grants, 'premium' as const] };
    given({ member: premiumOnly }).when(asks('+44 909 879 0000')).then(refusedAs('premium'));
    given({ member: premiumOnly }).when(asks('+1 900 555 0100')).then([{ type: 'DestinationResolved', data: { class: 'premium' } }]);
    given({ member: { ...premiumOnly, grants: [...premiumOnly.grants, 'international'] } })
      .when(asks('+44 909 879 0000'))
      .then([{ type: 'DestinationResolved', data: { class: 'premium', e164: '+449098790000' } }]);
  });

  it('is reached by an adult holding the grant, at high assurance, still through the contact', () =>
    given({ member: { ...adult!, grants: [...adult!.grants, 'international'] } })
      .when(asks('Auntie'))
      .then([{ type: 'DestinationResolved', data: { class: 'international', viaContact: { contactId: 'c4' } } }]));

  it('leaves a child their ordinary contacts, by name and by digits', () => {
    given({ member: child }).when(asks('Grandpa')).then([{ type: 'DestinationResolved', data: { class: 'domestic' } }]);
    given({ member: child })
      .when(asks('+1 555 010 0002'))
      .then([{ type: 'DestinationResolved', data: { viaContact: { contactId: 'c2' } } }]);
  });
});

describe('routing an emergency call', () => {
  it('routes 911 from an unverified speaker with the address and room, and notifies the owner', () =>
    given({ member: null })
      .when(asks('911', unverified))
      .then([
        {
          type: 'DestinationResolved',
          data: { callId: 'call-1', accountId: 'acc-1', class: 'emergency', e164: '911', viaContact: null },
        },
        {
          type: 'EmergencyOwnerNotified',
          data: {
            callId: 'call-1',
            accountId: 'acc-1',
            ownerMemberId: 'olivia',
            e164: '911',
            address,
            location: { room: 'kitchen', floor: '1' },
          },
        },
      ]));

  it('routes 911 from an unverified speaker when the device wrapped it in direction marks (a right-to-left locale)', () =>
    given({ member: null })
      .when(asks('\u2068911\u2069', unverified))
      .then([{ type: 'DestinationResolved', data: { class: 'emergency', e164: '911' } }, { type: 'EmergencyOwnerNotified' }]));

  it('routes 911 for a guest', () =>
    given({ member: { memberId: 'olivia', grants: ['emergency'] } })
      .when(asks('911'))
      .then([{ type: 'DestinationResolved', data: { class: 'emergency' } }, { type: 'EmergencyOwnerNotified' }]));

  it('refuses an unverified speaker anything else, with the speaker reason', () => {
    given({ member: null })
      .when(asks('+1 555 010 9999', unverified))
      .then([{ type: 'DestinationRejected', data: { reason: 'speaker_not_verified', class: 'domestic' } }]);
    given({ member: null })
      .when(asks('Mom', { ...unverified, speakerRejection: 'low_liveness' }))
      .then([{ type: 'DestinationRejected', data: { callId: 'call-1', reason: 'low_liveness' } }]);
  });

  it('routes 911 handed over before identity answered (no speaker reason), and refuses anything else', () => {
    const unanswered = { ...unverified, speakerRejection: null };
    given({ member: null })
      .when(asks('911', unanswered))
      .then([{ type: 'DestinationResolved', data: { class: 'emergency' } }, { type: 'EmergencyOwnerNotified' }]);
    given({ member: null })
      .when(asks('Grandpa', unanswered))
      .then([{ type: 'DestinationRejected', data: { callId: 'call-1', reason: 'speaker_not_verified' } }]);
  });

  // Finding 5 of issue 11: an alias "nine one one" routed to a premium number.
  describe('whatever the contacts say', () => {
    const shadows: RoutingContext['contacts'] = [
      { contactId: 's1', name: 'Nine One One', aliases: ['911', 'emergency'], e164: '+19005550100', memberId: null },
      { contactId: 's2', name: 'Emergency', aliases: ['police'], e164: '+15550100001', memberId: 'olivia' },
    ];
    const toEmergency = [
      { type: 'DestinationResolved', data: { class: 'emergency', e164: '911', viaContact: null } },
      { type: 'EmergencyOwnerNotified', data: { e164: '911' } },
    ];

    it.each(['nine one one', 'Nine One One', '911', '９１１', '911#', 'emergency', 'Emergency', 'police'])(
      'routes "%s" to the emergency services',
      (target) => given({ contacts: shadows }).when(asks(target)).then(toEmergency),
    );

    it('routes them so for an unverified speaker and a guest too', () => {
      given({ contacts: shadows, member: null }).when(asks('nine one one', unverified)).then(toEmergency);
      given({ contacts: shadows, member: { memberId: 'olivia', grants: ['emergency'] } })
        .when(asks('emergency'))
        .then(toEmergency);
    });

    it("routes the account country's emergency number", () =>
      given({ contacts: shadows, account: { ...household.account!, address: { ...address, country: 'GB' } } })
        .when(asks('emergency'))
        .then([{ type: 'DestinationResolved', data: { class: 'emergency', e164: '999' } }, { type: 'EmergencyOwnerNotified' }]));
  });

  it("never lets an unverified request reach a member's own contacts by naming the member", () =>
    given({ member: null })
      .when(asks('Mom', { ...unverified, memberId: 'olivia' }))
      .then([{ type: 'DestinationRejected', data: { callId: 'call-1', reason: 'speaker_not_verified' } }]));
});
