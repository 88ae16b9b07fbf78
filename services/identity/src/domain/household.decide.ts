import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { CallGrant, PermissionOverrides } from '@homeline/contracts';
import { evolveHousehold, initialHouseholdState, type Household, type HouseholdState } from './household';
import type {
  AddContact,
  AddMember,
  ChangeMemberPermissions,
  EnrollVoiceprint,
  HouseholdCommand,
  LinkDevice,
  OpenAccount,
  UnlinkDevice,
} from './household.commands';
import { HouseholdError } from './household.errors';
import type { HouseholdEvent } from './household.events';
import { grantsFor } from './permissions';

const toE164 = (number: string, country: string): string => {
  const parsed = parsePhoneNumberFromString(number, country as CountryCode);
  if (!parsed?.isPossible()) throw new HouseholdError('invalid_number', `${number} is not a phone number`);
  return parsed.number;
};

const memberOf = (h: Household, memberId: string) => {
  const member = h.members[memberId];
  if (!member) throw new HouseholdError('member_not_found', `member ${memberId} is not in account ${h.accountId}`);
  return member;
};

const openAccount = (c: OpenAccount): HouseholdEvent[] => [
  {
    type: 'AccountOpened',
    data: {
      accountId: c.accountId,
      msisdn: toE164(c.msisdn, c.address.country),
      displayName: c.displayName,
      timezone: c.timezone,
      address: c.address,
    },
  },
];

const addMember = (c: AddMember, h: Household): HouseholdEvent[] => {
  if (h.members[c.memberId]) throw new HouseholdError('member_already_exists', `member ${c.memberId} already exists`);
  return [
    {
      type: 'MemberAdded',
      data: {
        accountId: h.accountId,
        memberId: c.memberId,
        name: c.name,
        role: c.role,
        grants: grantsFor({ role: c.role }),
      },
    },
  ];
};

const unique = (grants: readonly CallGrant[] = []): CallGrant[] => [...new Set(grants)];

/** An account keeps at least one owner: the last one cannot be demoted. */
const changeMemberPermissions = (c: ChangeMemberPermissions, h: Household): HouseholdEvent[] => {
  const member = memberOf(h, c.memberId);
  const role = c.role ?? member.role;
  const owners = Object.values(h.members).filter((m) => m.role === 'owner');
  if (member.role === 'owner' && role !== 'owner' && owners.length === 1) {
    throw new HouseholdError('last_owner', 'the last owner of an account cannot be demoted');
  }
  const overrides: PermissionOverrides = {
    grant: c.grant ? unique(c.grant) : [...member.overrides.grant],
    revoke: c.revoke ? unique(c.revoke) : [...member.overrides.revoke],
  };
  return [
    {
      type: 'MemberPermissionsChanged',
      data: { accountId: h.accountId, memberId: c.memberId, role, overrides, grants: grantsFor({ role, overrides }) },
    },
  ];
};

const enrollVoiceprint = (c: EnrollVoiceprint, h: Household): HouseholdEvent[] => {
  memberOf(h, c.memberId);
  if (c.embedding.length === 0 || !c.embedding.every(Number.isFinite) || c.embedding.every((x) => x === 0)) {
    throw new HouseholdError('invalid_voiceprint', 'a voiceprint is a non-zero vector of finite numbers');
  }
  return [
    {
      type: 'VoiceprintEnrolled',
      data: { accountId: h.accountId, memberId: c.memberId, dimensions: c.embedding.length },
    },
  ];
};

const linkDevice = (c: LinkDevice, h: Household): HouseholdEvent[] => {
  if (h.devices[c.deviceId])
    throw new HouseholdError('device_already_linked', `device ${c.deviceId} is already linked`);
  if (Buffer.from(c.publicKey, 'base64').length !== 32) {
    throw new HouseholdError('invalid_public_key', 'publicKey must be the base64 of a raw 32-byte Ed25519 key');
  }
  const { deviceId, name, publicKey, location } = c;
  return [{ type: 'DeviceLinked', data: { accountId: h.accountId, deviceId, name, publicKey, location } }];
};

const unlinkDevice = (c: UnlinkDevice, h: Household): HouseholdEvent[] => {
  if (!h.devices[c.deviceId])
    throw new HouseholdError('device_not_found', `device ${c.deviceId} is not linked to ${h.accountId}`);
  return [{ type: 'DeviceUnlinked', data: { accountId: h.accountId, deviceId: c.deviceId } }];
};

const addContact = (c: AddContact, h: Household): HouseholdEvent[] => {
  if (h.contactIds.includes(c.contactId))
    throw new HouseholdError('contact_already_exists', `contact ${c.contactId} already exists`);
  if (c.memberId !== null) memberOf(h, c.memberId);
  const e164 = toE164(c.number, h.address.country);
  const { contactId, name, memberId } = c;
  return [
    {
      type: 'ContactAdded',
      data: { accountId: h.accountId, contactId, name, aliases: [...c.aliases], e164, memberId },
    },
  ];
};

/** The household registry: accounts, members and their permissions, devices, voiceprints, contacts. */
export const decideHousehold = (command: HouseholdCommand, state: HouseholdState): HouseholdEvent[] => {
  if (command.type === 'OpenAccount') {
    if (state.status === 'open')
      throw new HouseholdError('account_already_exists', `account ${command.accountId} already exists`);
    return openAccount(command);
  }
  if (state.status !== 'open')
    throw new HouseholdError('account_not_found', `account ${command.accountId} does not exist`);
  switch (command.type) {
    case 'AddMember':
      return addMember(command, state);
    case 'ChangeMemberPermissions':
      return changeMemberPermissions(command, state);
    case 'EnrollVoiceprint':
      return enrollVoiceprint(command, state);
    case 'LinkDevice':
      return linkDevice(command, state);
    case 'UnlinkDevice':
      return unlinkDevice(command, state);
    case 'AddContact':
      return addContact(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown household command ${(unknown as HouseholdCommand).type}`);
    }
  }
};

/** The household as one decider value, for an event-sourced command handler. */
export const householdDecider = {
  decide: decideHousehold,
  evolve: evolveHousehold,
  initialState: initialHouseholdState,
};
