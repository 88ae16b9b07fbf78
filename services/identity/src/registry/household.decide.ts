import { callGrants, type Address, type CallGrant, type DeviceLocation, type MemberRole } from '@homeline/contracts';
import { grantsFor, roleGrants, type PermissionOverrides } from '../domain/permissions';
import {
  accountAlreadyOpened, accountNotFound, deviceAlreadyLinked, deviceNotFound, invalidPhoneNumber, memberNotFound,
} from './household.errors';
import type { Household, HouseholdEvent, OpenHousehold } from './household';
import { toE164 } from './phone-number';

/** What integrations ask of a household. Ids and validated inputs arrive in the command; no I/O here. */
export type HouseholdCommand =
  | { readonly type: 'OpenAccount'; readonly data: { accountId: string; msisdn: string; displayName: string; timezone: string; address: Address } }
  | { readonly type: 'AddMember'; readonly data: { memberId: string; name: string; role: MemberRole; overrides: PermissionOverrides } }
  | { readonly type: 'ChangeMemberPermissions'; readonly data: { memberId: string; role?: MemberRole; overrides: PermissionOverrides } }
  | { readonly type: 'EnrollVoiceprint'; readonly data: { memberId: string; dimensions: number } }
  | { readonly type: 'LinkDevice'; readonly data: { deviceId: string; name: string; publicKey: string; location: DeviceLocation | null } }
  | { readonly type: 'UnlinkDevice'; readonly data: { deviceId: string } }
  | {
      readonly type: 'AddContact';
      readonly data: { contactId: string; name: string; aliases: readonly string[]; number: string; memberId: string | null };
    };

const openAccount = (command: Extract<HouseholdCommand, { type: 'OpenAccount' }>, state: Household): HouseholdEvent[] => {
  if (state.status === 'open') throw accountAlreadyOpened(state.accountId);
  const msisdn = toE164(command.data.msisdn, command.data.address.country);
  if (!msisdn) throw invalidPhoneNumber('msisdn', command.data.msisdn);
  return [{ type: 'AccountOpened', data: { ...command.data, msisdn } }];
};

/** The role's grants (or the member's current ones when the role stays), plus grants, minus revocations; emergency stays. */
const changedGrants = (base: readonly CallGrant[], overrides: PermissionOverrides): CallGrant[] => {
  const granted = new Set<CallGrant>([...base, ...(overrides.grant ?? [])]);
  for (const revoked of overrides.revoke ?? []) if (revoked !== 'emergency') granted.delete(revoked);
  return callGrants.filter((g) => granted.has(g));
};

const memberOf = (state: OpenHousehold, memberId: string) => {
  const member = state.members.get(memberId);
  if (!member) throw memberNotFound(memberId);
  return member;
};

const decideForOpen = (command: HouseholdCommand, state: OpenHousehold): HouseholdEvent[] => {
  const { accountId } = state;
  switch (command.type) {
    case 'OpenAccount':
      throw accountAlreadyOpened(accountId);
    case 'AddMember': {
      const { memberId, name, role, overrides } = command.data;
      return [{ type: 'MemberAdded', data: { accountId, memberId, name, role, grants: grantsFor({ role, overrides }) } }];
    }
    case 'ChangeMemberPermissions': {
      const { memberId, role, overrides } = command.data;
      const member = memberOf(state, memberId);
      const grants = changedGrants(role ? roleGrants[role] : member.grants, overrides);
      return [{ type: 'MemberPermissionsChanged', data: { accountId, memberId, role: role ?? member.role, grants } }];
    }
    case 'EnrollVoiceprint':
      memberOf(state, command.data.memberId);
      return [{ type: 'VoiceprintEnrolled', data: { accountId, ...command.data } }];
    case 'LinkDevice':
      if (state.linkedDevices.has(command.data.deviceId)) throw deviceAlreadyLinked(command.data.deviceId);
      return [{ type: 'DeviceLinked', data: { accountId, ...command.data } }];
    case 'UnlinkDevice':
      if (!state.linkedDevices.has(command.data.deviceId)) throw deviceNotFound(command.data.deviceId);
      return [{ type: 'DeviceUnlinked', data: { accountId, deviceId: command.data.deviceId } }];
    case 'AddContact': {
      const { contactId, name, aliases, number, memberId } = command.data;
      if (memberId !== null) memberOf(state, memberId);
      const e164 = toE164(number, state.country);
      if (!e164) throw invalidPhoneNumber('number', number);
      return [{ type: 'ContactAdded', data: { accountId, contactId, name, aliases: [...aliases], e164, memberId } }];
    }
    default: {
      const unexpected: never = command;
      return unexpected;
    }
  }
};

/** Decides what a command does to a household; throws a RegistryError when it may not happen. */
export const decide = (command: HouseholdCommand, state: Household): HouseholdEvent[] => {
  if (command.type === 'OpenAccount') return openAccount(command, state);
  if (state.status !== 'open') throw accountNotFound();
  return decideForOpen(command, state);
};
