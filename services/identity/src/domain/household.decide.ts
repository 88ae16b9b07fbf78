import { isAcceptableDeviceKey, isDiallingCountry, isUuid } from '@homeline/contracts';
import type { ApprovalAction, ApprovalRaise, CallGrant, PermissionOverrides } from '@homeline/contracts';
import { decideApproval, expireApproval, expired, holdOr, raisesOf, recoverApprovers, refuseWhilePending, registerApprover, removeApprover, stillPending } from './approvals';
import { addContact, toE164 } from './contact.decide';
import { entryOf, evolveHousehold, initialHouseholdState, type Household, type HouseholdState } from './household';
import type {
  AddMember,
  ChangeMemberPermissions,
  CloseAccount,
  EnrollVoiceprint,
  HouseholdCommand,
  LinkDevice,
  OpenAccount,
  RegisterApprover,
  RemoveApprover,
  RemoveMember,
  RemoveVoiceprint,
  UnlinkDevice,
} from './household.commands';
import { setAwayMode, setQuietHours } from './household-policies.decide';
import { HouseholdError, voiceprintNotFound } from './household.errors';
import type { HouseholdEvent } from './household.events';
import { grantsFor } from './permissions';
import { voiceVectorProblem } from './voice-vector';
import type { Decider } from '@homeline/event-store';

const memberOf = (h: Household, memberId: string) => {
  const member = entryOf(h.members, memberId);
  if (!member) throw new HouseholdError('member_not_found', `member ${memberId} is not in account ${h.accountId}`);
  return member;
};

/** Without a numbering plan ("ZZ") nothing could be classified: no emergency number, no "international". */
const openAccount = (c: OpenAccount): HouseholdEvent[] => {
  if (!isDiallingCountry(c.address.country)) {
    throw new HouseholdError('unsupported_country', `${c.address.country} is no country with a telephone numbering plan`);
  }
  const { accountId, displayName, timezone, address } = c;
  return [{ type: 'AccountOpened', data: { accountId, msisdn: toE164(c.msisdn, address.country), displayName, timezone, address } }];
};

const addMember = (c: AddMember, h: Household): HouseholdEvent[] => {
  if (entryOf(h.members, c.memberId)) throw new HouseholdError('member_already_exists', `member ${c.memberId} already exists`);
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

/**
 * An account keeps at least one owner: the last one cannot be demoted. Nor can an owner whose
 * phone approves: only an owner's phone may answer (approvals.ts), so the household would be left
 * holding every action for an approver who can no longer give it; its approver is removed first.
 */
const changeMemberPermissions = (c: ChangeMemberPermissions, h: Household): HouseholdEvent[] => {
  const member = memberOf(h, c.memberId);
  const role = c.role ?? member.role;
  const owners = Object.values(h.members).filter((m) => m.role === 'owner');
  if (member.role === 'owner' && role !== 'owner' && owners.length === 1) {
    throw new HouseholdError('last_owner', 'the last owner of an account cannot be demoted');
  }
  if (member.role === 'owner' && role !== 'owner' && Object.values(h.approvers).some((a) => a.memberId === c.memberId)) {
    throw new HouseholdError('member_is_approver', `${c.memberId}'s phone approves this household's held actions: an owner it stays`);
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

const voiceprintEnrolled = (h: Household, memberId: string, voiceprintId: string, dimensions: number): HouseholdEvent[] => {
  memberOf(h, memberId);
  return [{ type: 'VoiceprintEnrolled', data: { accountId: h.accountId, memberId, voiceprintId, dimensions } }];
};

/** Enrolments waiting for approval count towards the cap: approving them must not pass it. */
const enrollVoiceprint = (c: EnrollVoiceprint, h: Household): HouseholdEvent[] => {
  const member = memberOf(h, c.memberId);
  const waiting = stillPending(h, c.now, (a) => a.type === 'enroll_voiceprint' && a.memberId === c.memberId).length;
  if (member.voiceprints + waiting >= c.maxPerMember) {
    throw new HouseholdError('too_many_voiceprints', `member ${c.memberId} already has ${member.voiceprints} voiceprints (and ${waiting} awaiting approval), the most a member may have`);
  }
  const problem = voiceVectorProblem(c.embedding);
  if (problem) throw new HouseholdError('invalid_voiceprint', `not a voiceprint: ${problem}`);
  return voiceprintEnrolled(h, c.memberId, c.voiceprintId, c.embedding.length);
};

/**
 * Only a print enrolled under this member, by the id its enrolment answered with. A print enrolled
 * before VoiceprintEnrolled named it is counted but not named here: while the member has one, an id
 * not named here may be it, and identity's voiceprints table (the id GET lists) says so in the
 * transaction of the append — the removal (or its hold) is refused there when it is not theirs.
 */
const removeVoiceprint = (c: RemoveVoiceprint, h: Household): HouseholdEvent[] => {
  const member = memberOf(h, c.memberId);
  const unnamed = member.voiceprints - member.voiceprintIds.length;
  if (!member.voiceprintIds.includes(c.voiceprintId) && !(unnamed > 0 && isUuid(c.voiceprintId))) {
    throw voiceprintNotFound(c.memberId, c.voiceprintId);
  }
  return [{ type: 'VoiceprintRemoved', data: { accountId: h.accountId, memberId: c.memberId, voiceprintId: c.voiceprintId } }];
};

/**
 * An account keeps an owner, and an owner whose phone approves stays one (as for a demotion); the
 * actions still waiting for approval that would give the member something expire with them.
 */
const removeMember = (c: RemoveMember, h: Household): HouseholdEvent[] => {
  const member = memberOf(h, c.memberId);
  if (member.role === 'owner' && Object.values(h.members).filter((m) => m.role === 'owner').length === 1) {
    throw new HouseholdError('last_owner', 'the last owner of an account cannot be removed');
  }
  if (Object.values(h.approvers).some((a) => a.memberId === c.memberId)) {
    throw new HouseholdError('member_is_approver', `${c.memberId}'s phone approves this household's held actions: remove the approver first`);
  }
  const forMember = (a: ApprovalAction) => a.type !== 'remove_member' && a.type !== 'add_member' && 'memberId' in a && a.memberId === c.memberId;
  return [
    ...expired(h, stillPending(h, c.now, forMember)),
    { type: 'MemberRemoved', data: { accountId: h.accountId, memberId: c.memberId } },
  ];
};

/**
 * Every linked speaker is unlinked first (calls and routing already act on DeviceUnlinked: a ringing
 * speaker stops), and every action still waiting for approval expires (a held speaker is never linked).
 */
const closeAccount = (c: CloseAccount, h: Household): HouseholdEvent[] => [
  ...Object.keys(h.devices).map((deviceId): HouseholdEvent => ({ type: 'DeviceUnlinked', data: { accountId: h.accountId, deviceId } })),
  ...expired(h, Object.values(h.approvals).filter((a) => a.status === 'pending')), // lapsed ones too: no sweep comes for a closed account
  { type: 'AccountClosed', data: { accountId: h.accountId, msisdn: h.msisdn, reason: c.reason } },
];

const linkDevice = (c: LinkDevice, h: Household): HouseholdEvent[] => {
  if (entryOf(h.devices, c.deviceId))
    throw new HouseholdError('device_already_linked', `device ${c.deviceId} is already linked`);
  if (!isAcceptableDeviceKey(c.publicKey)) {
    // A small-order key (all zeros, the identity point) would let anyone sign "as" the device.
    throw new HouseholdError('invalid_public_key', 'publicKey must be the base64 of a raw 32-byte Ed25519 public key of full order');
  }
  const { deviceId, name, publicKey, location } = c;
  return [{ type: 'DeviceLinked', data: { accountId: h.accountId, deviceId, name, publicKey, location } }];
};

const unlinkDevice = (c: UnlinkDevice, h: Household): HouseholdEvent[] => {
  if (!entryOf(h.devices, c.deviceId))
    throw new HouseholdError('device_not_found', `device ${c.deviceId} is not linked to ${h.accountId}`);
  return [{ type: 'DeviceUnlinked', data: { accountId: h.accountId, deviceId: c.deviceId } }];
};

/** What a change of a member, decided as `events`, gives that needs approval. */
const raisesOfChange = (memberId: string, h: Household, [changed]: readonly HouseholdEvent[]): ApprovalRaise[] => {
  if (changed?.type !== 'MemberPermissionsChanged') return [];
  const before = memberOf(h, memberId);
  return raisesOf({ role: before.role, grants: grantsFor(before) }, changed.data);
};

/** The action an owner must approve for this change of a member, or null when it raises nothing held. */
const memberChange = (c: ChangeMemberPermissions, h: Household, events: readonly HouseholdEvent[]): ApprovalAction | null => {
  const raises = raisesOfChange(c.memberId, h, events);
  if (raises.length === 0) return null;
  const { memberId, role, grant, revoke } = c;
  // As requested (absent fields stay absent), so that approving it applies exactly this request.
  return { type: 'change_member', memberId, ...(role && { role }), ...(grant && { grant: [...grant] }), ...(revoke && { revoke: [...revoke] }), raises };
};

/** An approved action, decided again on the household as it is now (never held a second time). */
const applyApproved = (action: ApprovalAction, h: Household, now: string): HouseholdEvent[] => {
  const { accountId } = h;
  switch (action.type) {
    case 'link_device':
      return linkDevice({ ...action, type: 'LinkDevice', accountId, now }, h);
    case 'change_member': {
      // Decided again now, it must give no more than the owner was shown: grant overrides hidden behind
      // a revocation (changes that gave nothing, so were not held) would otherwise come out with it.
      const events = changeMemberPermissions({ ...action, type: 'ChangeMemberPermissions', accountId, now }, h);
      const unshown = raisesOfChange(action.memberId, h, events).filter((raise) => !action.raises.includes(raise));
      if (unshown.length > 0) {
        throw new HouseholdError('approval_outdated', `approved now, this change would also give ${unshown.join(', ')}, which the approval did not show: ask again`);
      }
      return events;
    }
    case 'add_member':
      return addMember({ ...action, type: 'AddMember', accountId, now }, h);
    case 'register_approver':
      return registerApprover({ ...action, type: 'RegisterApprover', accountId, now }, h);
    case 'enroll_voiceprint':
      return voiceprintEnrolled(h, action.memberId, action.voiceprintId, action.dimensions);
    case 'remove_voiceprint':
      return removeVoiceprint({ ...action, type: 'RemoveVoiceprint', accountId, now }, h);
    case 'remove_member':
      return removeMember({ ...action, type: 'RemoveMember', accountId, now }, h);
    case 'unlink_device':
      return unlinkDevice({ ...action, type: 'UnlinkDevice', accountId, now }, h);
    case 'remove_approver':
      return removeApprover({ ...action, type: 'RemoveApprover', accountId, now }, h);
    default: {
      const unknown: never = action;
      throw new Error(`unknown approval action ${(unknown as ApprovalAction).type}`);
    }
  }
};

/** The commands an owner's approval may hold (docs/architecture.md section 6.2): decided, then held or applied. */
const decideHoldable = (
  command:
    | AddMember | ChangeMemberPermissions | EnrollVoiceprint | RemoveVoiceprint | RemoveMember | LinkDevice | UnlinkDevice | RegisterApprover | RemoveApprover,
  h: Household,
): HouseholdEvent[] => {
  switch (command.type) {
    case 'AddMember': {
      const { memberId, name, role } = command;
      return holdOr(h, command, role === 'owner' ? { type: 'add_member', memberId, name, role } : null, addMember(command, h));
    }
    case 'ChangeMemberPermissions': {
      const events = changeMemberPermissions(command, h);
      return holdOr(h, command, memberChange(command, h, events), events);
    }
    case 'LinkDevice': {
      const { deviceId, name, publicKey, location } = command;
      refuseWhilePending(h, command.now, (a) => a.type === 'link_device' && a.deviceId === deviceId, `device ${deviceId}`);
      return holdOr(h, command, { type: 'link_device', deviceId, name, publicKey, location }, linkDevice(command, h));
    }
    case 'EnrollVoiceprint': {
      const { memberId, voiceprintId, embedding } = command;
      return holdOr(h, command, { type: 'enroll_voiceprint', memberId, voiceprintId, dimensions: embedding.length }, enrollVoiceprint(command, h));
    }
    case 'RemoveVoiceprint': {
      const { memberId, voiceprintId } = command;
      const events = removeVoiceprint(command, h);
      refuseWhilePending(h, command.now, (a) => a.type === 'remove_voiceprint' && a.voiceprintId === voiceprintId, `the removal of voiceprint ${voiceprintId}`);
      return holdOr(h, command, { type: 'remove_voiceprint', memberId, voiceprintId }, events);
    }
    case 'RemoveMember': {
      const { memberId } = command;
      const events = removeMember(command, h);
      refuseWhilePending(h, command.now, (a) => a.type === 'remove_member' && a.memberId === memberId, `the removal of member ${memberId}`);
      return holdOr(h, command, { type: 'remove_member', memberId, name: memberOf(h, memberId).name }, events);
    }
    case 'UnlinkDevice': {
      const { deviceId } = command;
      const events = unlinkDevice(command, h);
      refuseWhilePending(h, command.now, (a) => a.type === 'unlink_device' && a.deviceId === deviceId, `device ${deviceId}`);
      return holdOr(h, command, { type: 'unlink_device', deviceId }, events);
    }
    case 'RegisterApprover': {
      const { memberId, approverId, publicKey } = command;
      refuseWhilePending(h, command.now, (a) => a.type === 'register_approver' && a.approverId === approverId, `approver ${approverId}`);
      return holdOr(h, command, { type: 'register_approver', memberId, approverId, publicKey }, registerApprover(command, h));
    }
    case 'RemoveApprover': {
      const { approverId } = command;
      const events = removeApprover(command, h);
      refuseWhilePending(h, command.now, (a) => a.type === 'remove_approver' && a.approverId === approverId, `the removal of approver ${approverId}`);
      return holdOr(h, command, { type: 'remove_approver', memberId: h.approvers[approverId].memberId, approverId }, events);
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown holdable command ${(unknown as HouseholdCommand).type}`);
    }
  }
};

/** The household registry: accounts, members and their permissions, devices, voiceprints, contacts, Away Mode, quiet hours, approvals. */
export const decideHousehold = (command: HouseholdCommand, state: HouseholdState): HouseholdEvent[] => {
  if (command.type === 'OpenAccount') {
    if (state.status !== 'none')
      throw new HouseholdError('account_already_exists', `account ${command.accountId} already exists`);
    return openAccount(command);
  }
  // The closure expired every waiting approval: a sweep that read one just before it decides nothing, nor fails its batch.
  // The desk's retry of a closure finds it done, as a hang-up of an ended call does.
  if (state.status === 'closed' && (command.type === 'ExpireApproval' || command.type === 'CloseAccount')) return [];
  if (state.status !== 'open') {
    throw new HouseholdError('account_not_found', `account ${command.accountId} ${state.status === 'closed' ? 'was closed' : 'does not exist'}`);
  }
  switch (command.type) {
    case 'AddMember':
    case 'ChangeMemberPermissions':
    case 'LinkDevice':
    case 'RegisterApprover':
    case 'RemoveApprover':
    case 'EnrollVoiceprint':
    case 'RemoveVoiceprint':
    case 'RemoveMember':
    case 'UnlinkDevice':
      return decideHoldable(command, state);
    case 'AddContact':
      return addContact(command, state);
    case 'SetAwayMode':
      return setAwayMode(command, state);
    case 'SetQuietHours':
      return setQuietHours(command, state);
    case 'DecideApproval':
      return decideApproval(command, state, (action) => applyApproved(action, state, command.now));
    case 'ExpireApproval':
      return expireApproval(command, state);
    case 'RecoverApprovers':
      return recoverApprovers(command, state);
    case 'CloseAccount':
      return closeAccount(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown household command ${(unknown as HouseholdCommand).type}`);
    }
  }
};

/** The household as one decider value, for the event store's command handler. */
export const householdDecider: Decider<HouseholdCommand, HouseholdEvent, HouseholdState> = {
  decide: decideHousehold,
  evolve: evolveHousehold,
  initialState: () => initialHouseholdState,
};
