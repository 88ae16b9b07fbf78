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
    grants: ['emergency', 'contacts', 'short_code', 'domestic', 'premium', 'international', 'answer_sensitive'],
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

  it.each(['ZZ', 'XX', 'EU'])('cannot be opened in %s, a country without a numbering plan (issue 11, finding 6)', (country) =>
    given([])
      .when({ type: 'OpenAccount', accountId, now, msisdn: '+1 555 123 0001', displayName: 'The Smiths', timezone: 'UTC', address: { ...address, country } })
      .thenThrows('unsupported_country'));

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

  it('enrol voiceprints, which stay out of the published event: only its id and size are in it', () =>
    given([opened, owner])
      .when({ type: 'EnrollVoiceprint', accountId, now, memberId: 'olivia', voiceprintId: 'vp-1', embedding: [0.6, 0.8], maxPerMember: 5 })
      .then([{ type: 'VoiceprintEnrolled', data: { accountId, memberId: 'olivia', voiceprintId: 'vp-1', dimensions: 2 } }]));

  it('enrol at most maxPerMember voiceprints each (issue 11, finding 6)', () => {
    const enrolled: HouseholdEvent = { type: 'VoiceprintEnrolled', data: { accountId, memberId: 'olivia', voiceprintId: 'vp-1', dimensions: 2 } };
    const enrol = { type: 'EnrollVoiceprint', accountId, now, memberId: 'olivia', voiceprintId: 'vp-1', embedding: [0.6, 0.8], maxPerMember: 2 } as const;
    given([opened, owner, enrolled]).when(enrol).then([enrolled]);
    given([opened, owner, enrolled, enrolled]).when(enrol).thenThrows('too_many_voiceprints');
  });

  it.each([
    ['empty', []],
    ['zero', [0, 0]],
    ['of 1e308s, whose scores would be NaN', [1e308, 1e308]],
    ['with a component above 1000', [1_001, 0]],
    ['longer than any model outputs (norm above 1000)', [800, 800]],
    ['too short to have a direction (norm below 0.001)', [1e-4, 1e-4]],
    ['holding a NaN', [NaN, 1]],
  ])('cannot enrol a voiceprint %s', (_case, embedding) =>
    given([opened, owner])
      .when({ type: 'EnrollVoiceprint', accountId, now, memberId: 'olivia', voiceprintId: 'vp-1', embedding, maxPerMember: 5 })
      .thenThrows('invalid_voiceprint'));

  it.each(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'])(
    'are not found under an id the household never added, such as %s',
    (memberId) =>
      given([opened, owner])
        .when({ type: 'ChangeMemberPermissions', accountId, now, memberId, role: 'adult' })
        .thenThrows('member_not_found'),
  );

  it('may be added under an id that names a member of every object', () =>
    given([opened])
      .when({ type: 'AddMember', accountId, now, memberId: 'constructor', name: 'Con', role: 'owner' })
      .then([{ type: 'MemberAdded', data: { ...owner.data, memberId: 'constructor', name: 'Con' } }]));
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

  it.each([
    ['all zeros', Buffer.alloc(32).toString('base64')],
    ['the identity point', Buffer.from('01' + '00'.repeat(31), 'hex').toString('base64')],
  ])('refuse a key anyone could sign for: %s', (_what, publicKey) =>
    given([opened])
      .when({ type: 'LinkDevice', accountId, now, deviceId: 'hall', name: 'Hall', publicKey, location: null })
      .thenThrows('invalid_public_key'));

  it('unlink', () =>
    given([opened, linked])
      .when({ type: 'UnlinkDevice', accountId, now, deviceId: 'kitchen' })
      .then([{ type: 'DeviceUnlinked', data: { accountId, deviceId: 'kitchen' } }]));

  it.each(['__proto__', 'constructor', 'prototype', 'valueOf'])('that were never linked cannot be unlinked, even one named %s', (deviceId) =>
    given([opened, linked])
      .when({ type: 'UnlinkDevice', accountId, now, deviceId })
      .thenThrows('device_not_found'));

  it('link under an id that names a member of every object, once', () =>
    given([opened, { ...linked, data: { ...linked.data, deviceId: '__proto__' } }])
      .when({ type: 'LinkDevice', accountId, now, deviceId: '__proto__', name: 'Kitchen', publicKey: kitchen.publicKey, location: null })
      .thenThrows('device_already_linked'));

  it('cannot be unlinked twice', () =>
    given([opened, linked, { type: 'DeviceUnlinked', data: { accountId, deviceId: 'kitchen' } }])
      .when({ type: 'UnlinkDevice', accountId, now, deviceId: 'kitchen' })
      .thenThrows('device_not_found'));
});
