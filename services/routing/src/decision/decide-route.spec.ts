import type { CallGrant, CallRouting, MemberRole } from '@homeline/contracts';
import type { DirectoryAccount, DirectoryContact, DirectoryMember } from '../directory/directory.reads';
import { decideRoute, type RouteFacts } from './decide-route';

const account: DirectoryAccount = {
  accountId: 'acc-1',
  msisdn: '+15551230001',
  country: 'US',
  address: { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
};
const member = (memberId: string, role: MemberRole, grants: CallGrant[]): DirectoryMember => ({ memberId, accountId: 'acc-1', role, grants });
const owner = member('m-owner', 'owner', ['emergency', 'contacts', 'short_code', 'domestic', 'premium', 'international']);
const child = member('m-child', 'child', ['emergency', 'contacts']);
const guest = member('m-guest', 'guest', ['emergency']);
const contact = (contactId: string, name: string, e164: string, memberId: string | null, aliases: string[] = []): DirectoryContact => ({
  contactId, name, e164, memberId, aliases,
});
const ownersMom = contact('c-1', 'Mom', '+12125550101', 'm-owner');
const grandma = contact('c-2', 'Grandma', '+12125550102', null, ['Nana']);

const routing = (overrides: Partial<CallRouting> = {}): CallRouting => ({
  callId: 'call-1', accountId: 'acc-1', deviceId: 'dev-1', target: 'Mom', verified: true, memberId: 'm-owner',
  speakerRejection: null, deadline: '2026-11-24T20:00:00Z', ...overrides,
});

const facts = (overrides: Partial<RouteFacts> = {}): RouteFacts => ({
  request: routing(),
  account,
  members: [owner, child, guest],
  contacts: [ownersMom, grandma],
  deviceLocation: { room: 'Kitchen', floor: '1' },
  assurance: 'standard',
  legId: 'leg-1',
  ...overrides,
});

const types = (events: readonly { type: string }[]) => events.map((e) => e.type);

describe('routing a verified owner', () => {
  it('resolves "Mom" through their own contact and requests a leg from the account line', () => {
    const events = decideRoute(facts());
    expect(types(events)).toEqual(['DestinationResolved', 'CarrierLegRequested']);
    expect(events[0].data).toMatchObject({ class: 'domestic', e164: '+12125550101', viaContact: { contactId: 'c-1', name: 'Mom', household: false } });
    expect(events[1].data).toMatchObject({ legId: 'leg-1', e164: '+12125550101', callerId: '+15551230001', emergency: false });
  });

  it('resolves a household contact by an alias, whatever its case', () => {
    const events = decideRoute(facts({ request: routing({ target: 'nana' }) }));
    expect(events[0].data).toMatchObject({ e164: '+12125550102', viaContact: { contactId: 'c-2', household: true } });
  });

  it('refuses a name that matches two contacts, rather than guessing', () => {
    const events = decideRoute(facts({ contacts: [ownersMom, contact('c-3', 'mom', '+12125550199', null)] }));
    expect(events).toEqual([{ type: 'DestinationRejected', data: { callId: 'call-1', reason: 'ambiguous_contact' } }]);
  });

  it('refuses a name that matches no contact it can see', () => {
    expect(decideRoute(facts({ contacts: [grandma] }))[0].data).toMatchObject({ reason: 'unknown_contact' });
  });

  it('refuses an international number unless the stricter voice threshold was met', () => {
    const abroad = routing({ target: '+44 20 7946 0018' });
    expect(decideRoute(facts({ request: abroad }))[0].data).toMatchObject({ reason: 'insufficient_assurance', class: 'international' });
    expect(types(decideRoute(facts({ request: abroad, assurance: 'high' })))).toEqual(['DestinationResolved', 'CarrierLegRequested']);
  });

  it('refuses a dial string that is not a number', () => {
    expect(decideRoute(facts({ request: routing({ target: '+1 2' }) }))[0].data).toMatchObject({ reason: 'invalid_destination' });
  });
});

describe('routing a child', () => {
  const asChild = (target: string) => facts({ request: routing({ memberId: 'm-child', target }), contacts: [grandma] });

  it('places a call to a household contact', () => {
    expect(types(decideRoute(asChild('Grandma')))).toEqual(['DestinationResolved', 'CarrierLegRequested']);
  });

  it('places a call to a household contact dialled by number', () => {
    expect(decideRoute(asChild('+1 212 555 0102'))[0].data).toMatchObject({ viaContact: { contactId: 'c-2' } });
  });

  it('refuses a number that is not one of its contacts', () => {
    expect(decideRoute(asChild('+1 212 555 0177'))[0]).toEqual({
      type: 'DestinationRejected', data: { callId: 'call-1', reason: 'not_permitted', class: 'domestic' },
    });
  });
});

describe('routing a guest', () => {
  it('refuses any ordinary number', () => {
    const events = decideRoute(facts({ request: routing({ memberId: 'm-guest', target: '+1 212 555 0177' }) }));
    expect(events[0].data).toMatchObject({ reason: 'not_permitted' });
  });
});

describe('an emergency call', () => {
  const unverified911 = routing({ target: '911', verified: false, memberId: null, speakerRejection: 'speaker_not_verified' });

  it('routes even when the speaker was not recognised, with the registered address and the device room', () => {
    const events = decideRoute(facts({ request: unverified911 }));
    expect(types(events)).toEqual(['DestinationResolved', 'CarrierLegRequested', 'EmergencyOwnerNotified']);
    expect(events[0].data).toMatchObject({ class: 'emergency', e164: '911', viaContact: null });
    expect(events[1].data).toMatchObject({ emergency: true, address: account.address, location: { room: 'Kitchen', floor: '1' } });
  });

  it('tells the account owner', () => {
    const events = decideRoute(facts({ request: unverified911 }));
    expect(events[2].data).toEqual({
      callId: 'call-1', accountId: 'acc-1', ownerMemberId: 'm-owner', e164: '911', address: account.address, location: { room: 'Kitchen', floor: '1' },
    });
  });

  it("uses the account's country: 112 is an emergency number in Great Britain", () => {
    const gb = { ...account, country: 'GB', address: { ...account.address, country: 'GB' } };
    const events = decideRoute(facts({ account: gb, request: routing({ target: '112', verified: false, memberId: null }) }));
    expect(events[0].data).toMatchObject({ class: 'emergency', e164: '112' });
  });
});

describe('an unverified speaker', () => {
  it('is refused a non-emergency target with the reason identity gave', () => {
    const request = routing({ verified: false, memberId: null, speakerRejection: 'replayed_assertion' });
    expect(decideRoute(facts({ request }))).toEqual([{ type: 'DestinationRejected', data: { callId: 'call-1', reason: 'replayed_assertion' } }]);
  });
});

describe('a call from an account routing does not know', () => {
  it('is refused with unknown_account', () => {
    expect(decideRoute(facts({ account: undefined }))[0].data).toMatchObject({ reason: 'unknown_account' });
  });
});
