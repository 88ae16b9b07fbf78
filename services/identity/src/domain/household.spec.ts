import { simulatedDevice } from '@homeline/device-sim';
import { evolveHousehold, initialHouseholdState, type HouseholdState } from './household';
import type { HouseholdCommand } from './household.commands';
import { decideHousehold } from './household.decide';
import type { HouseholdEvent } from './household.events';
import { deciderSpecification } from '@homeline/testing';

const given = deciderSpecification<HouseholdCommand, HouseholdEvent, HouseholdState>({
  decide: decideHousehold,
  evolve: evolveHousehold,
  initialState: initialHouseholdState,
});

const now = '2026-11-24T18:00:00.000Z';
const accountId = 'acc-1';
const address = { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' };
const opened: HouseholdEvent = {
  type: 'AccountOpened',
  data: { accountId, msisdn: '+15551230001', displayName: 'The Smiths', timezone: 'America/Chicago', address },
};
const owner: HouseholdEvent = {
  type: 'MemberAdded',
  data: {
    accountId,
    memberId: 'olivia',
    name: 'Olivia',
    role: 'owner',
    grants: ['emergency', 'contacts', 'short_code', 'domestic', 'premium', 'international'],
  },
};
const adult: HouseholdEvent = {
  type: 'MemberAdded',
  data: {
    accountId,
    memberId: 'adam',
    name: 'Adam',
    role: 'adult',
    grants: ['emergency', 'contacts', 'short_code', 'domestic'],
  },
};
const kitchen = simulatedDevice('kitchen');
const linked: HouseholdEvent = {
  type: 'DeviceLinked',
  data: {
    accountId,
    deviceId: 'kitchen',
    name: 'Kitchen',
    publicKey: kitchen.publicKey,
    location: { room: 'kitchen' },
  },
};

describe('a household account', () => {
  it('opens with its carrier line in E.164', () =>
    given([])
      .when({
        type: 'OpenAccount',
        accountId,
        now,
        msisdn: '+1 555 123 0001',
        displayName: 'The Smiths',
        timezone: 'America/Chicago',
        address,
      })
      .then([opened]));

  it('cannot be opened twice', () =>
    given([opened])
      .when({ type: 'OpenAccount', accountId, now, msisdn: '+15551230001', displayName: 'x', timezone: 'UTC', address })
      .thenThrows('account_already_exists'));

  it('must exist before anything is added to it', () =>
    given([])
      .when({ type: 'AddMember', accountId, now, memberId: 'olivia', name: 'Olivia', role: 'owner' })
      .thenThrows('account_not_found'));
});

describe('members', () => {
  it("join with their role's grants", () =>
    given([opened])
      .when({ type: 'AddMember', accountId, now, memberId: 'adam', name: 'Adam', role: 'adult' })
      .then([adult]));

  it('can be granted international calls by an override', () =>
    given([opened, owner, adult])
      .when({ type: 'ChangeMemberPermissions', accountId, now, memberId: 'adam', grant: ['international'] })
      .then([
        {
          type: 'MemberPermissionsChanged',
          data: {
            accountId,
            memberId: 'adam',
            role: 'adult',
            overrides: { grant: ['international'], revoke: [] },
            grants: ['emergency', 'contacts', 'short_code', 'domestic', 'international'],
          },
        },
      ]));

  it('can change role, keeping their overrides', () =>
    given([
      opened,
      owner,
      adult,
      {
        type: 'MemberPermissionsChanged',
        data: {
          accountId,
          memberId: 'adam',
          role: 'adult',
          overrides: { grant: [], revoke: ['short_code'] },
          grants: ['emergency', 'contacts', 'domestic'],
        },
      },
    ])
      .when({ type: 'ChangeMemberPermissions', accountId, now, memberId: 'adam', role: 'guest' })
      .then([
        {
          type: 'MemberPermissionsChanged',
          data: {
            accountId,
            memberId: 'adam',
            role: 'guest',
            overrides: { grant: [], revoke: ['short_code'] },
            grants: ['emergency'],
          },
        },
      ]));

  it('keep at least one owner', () =>
    given([opened, owner])
      .when({ type: 'ChangeMemberPermissions', accountId, now, memberId: 'olivia', role: 'adult' })
      .thenThrows('last_owner'));

  it('enrol voiceprints, which stay out of the published event', () =>
    given([opened, owner])
      .when({ type: 'EnrollVoiceprint', accountId, now, memberId: 'olivia', embedding: [0.6, 0.8] })
      .then([{ type: 'VoiceprintEnrolled', data: { accountId, memberId: 'olivia', dimensions: 2 } }]));

  it('cannot enrol an empty or zero voiceprint', () =>
    given([opened, owner])
      .when({ type: 'EnrollVoiceprint', accountId, now, memberId: 'olivia', embedding: [0, 0] })
      .thenThrows('invalid_voiceprint'));
});

describe('devices', () => {
  it('link with their raw Ed25519 public key and room', () =>
    given([opened])
      .when({
        type: 'LinkDevice',
        accountId,
        now,
        deviceId: 'kitchen',
        name: 'Kitchen',
        publicKey: kitchen.publicKey,
        location: { room: 'kitchen' },
      })
      .then([linked]));

  it('refuse a key that is not 32 raw bytes', () =>
    given([opened])
      .when({
        type: 'LinkDevice',
        accountId,
        now,
        deviceId: 'hall',
        name: 'Hall',
        publicKey: 'c2hvcnQ=',
        location: null,
      })
      .thenThrows('invalid_public_key'));

  it('unlink', () =>
    given([opened, linked])
      .when({ type: 'UnlinkDevice', accountId, now, deviceId: 'kitchen' })
      .then([{ type: 'DeviceUnlinked', data: { accountId, deviceId: 'kitchen' } }]));

  it('cannot be unlinked twice', () =>
    given([opened, linked, { type: 'DeviceUnlinked', data: { accountId, deviceId: 'kitchen' } }])
      .when({ type: 'UnlinkDevice', accountId, now, deviceId: 'kitchen' })
      .thenThrows('device_not_found'));
});

describe('contacts', () => {
  it("belong to a member, with the number normalized for the account's country", () =>
    given([opened, owner])
      .when({
        type: 'AddContact',
        accountId,
        now,
        contactId: 'c1',
        name: 'Mom',
        aliases: ['Mother'],
        number: '(555) 010-0001',
        memberId: 'olivia',
      })
      .then([
        {
          type: 'ContactAdded',
          data: {
            accountId,
            contactId: 'c1',
            name: 'Mom',
            aliases: ['Mother'],
            e164: '+15550100001',
            memberId: 'olivia',
          },
        },
      ]));

  it('or to the whole household', () =>
    given([opened])
      .when({
        type: 'AddContact',
        accountId,
        now,
        contactId: 'c2',
        name: 'Pizza',
        aliases: [],
        number: '+1 555 010 0004',
        memberId: null,
      })
      .then([
        {
          type: 'ContactAdded',
          data: { accountId, contactId: 'c2', name: 'Pizza', aliases: [], e164: '+15550100004', memberId: null },
        },
      ]));

  it('need a number', () =>
    given([opened])
      .when({
        type: 'AddContact',
        accountId,
        now,
        contactId: 'c3',
        name: 'Nobody',
        aliases: [],
        number: '12',
        memberId: null,
      })
      .thenThrows('invalid_number'));

  it('cannot belong to a stranger', () =>
    given([opened])
      .when({
        type: 'AddContact',
        accountId,
        now,
        contactId: 'c4',
        name: 'Mom',
        aliases: [],
        number: '+15550100001',
        memberId: 'ghost',
      })
      .thenThrows('member_not_found'));
});
