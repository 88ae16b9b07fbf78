import type { Address, DeviceLocation, MemberRole, PermissionOverrides, QuietWindow } from '@homeline/contracts';
import type { Approval, Approver } from './approvals';
import { awayModeOff, type AwayMode } from './household-policies';
import type { HouseholdEvent } from './household.events';

export interface HouseholdMember {
  readonly memberId: string;
  readonly name: string;
  readonly role: MemberRole;
  readonly overrides: PermissionOverrides;
  readonly voiceprints: number;
  /** The ids of those voiceprints, but for prints enrolled before their events named them (counted, not listed). */
  readonly voiceprintIds: readonly string[];
}

export interface HouseholdDevice {
  readonly deviceId: string;
  readonly name: string;
  readonly publicKey: string;
  readonly location: DeviceLocation | null;
}

export type NoHousehold = { readonly status: 'none' };
/** Closed by the carrier: nothing more happens to it (its line may be another household's now). */
export type ClosedHousehold = { readonly status: 'closed'; readonly accountId: string };
export type Household = {
  readonly status: 'open';
  readonly accountId: string;
  readonly msisdn: string;
  readonly timezone: string;
  readonly address: Address;
  readonly members: Readonly<Record<string, HouseholdMember>>;
  readonly devices: Readonly<Record<string, HouseholdDevice>>;
  readonly contactIds: readonly string[];
  readonly awayMode: AwayMode;
  readonly quietHours: readonly QuietWindow[];
  /** Owners' phones that approve held actions (docs/architecture.md section 6.2), by approverId. */
  readonly approvers: Readonly<Record<string, Approver>>;
  /** Every approval ever asked for, by approvalId. */
  readonly approvals: Readonly<Record<string, Approval>>;
};
export type HouseholdState = NoHousehold | Household | ClosedHousehold;

export const initialHouseholdState: HouseholdState = { status: 'none' };

/**
 * The member or device under `id`, if the household has one. Ids come from clients: a plain
 * `members[id]` would find Object.prototype's `__proto__` or `constructor` for an id never added.
 */
export const entryOf = <T>(entries: Readonly<Record<string, T>>, id: string): T | undefined =>
  Object.hasOwn(entries, id) ? entries[id] : undefined;

const open = (state: HouseholdState): Household => {
  if (state.status !== 'open') throw new Error('no household to apply this event to');
  return state;
};

const withMember = (h: Household, memberId: string, change: (m: HouseholdMember) => HouseholdMember): Household => ({
  ...h,
  members: { ...h.members, [memberId]: change(h.members[memberId]) },
});

const withApproval = (h: Household, approvalId: string, status: Approval['status']): Household => ({
  ...h,
  approvals: { ...h.approvals, [approvalId]: { ...h.approvals[approvalId], status } },
});

export const evolveHousehold = (state: HouseholdState, event: HouseholdEvent): HouseholdState => {
  switch (event.type) {
    case 'AccountOpened': {
      const { accountId, msisdn, timezone, address } = event.data;
      return {
        status: 'open', accountId, msisdn, timezone, address, members: {}, devices: {}, contactIds: [], awayMode: awayModeOff, quietHours: [],
        approvers: {}, approvals: {},
      };
    }
    case 'AccountClosed':
      return { status: 'closed', accountId: open(state).accountId };
    case 'MemberAdded': {
      const { memberId, name, role } = event.data;
      const h = open(state);
      return {
        ...h,
        members: {
          ...h.members,
          [memberId]: { memberId, name, role, overrides: { grant: [], revoke: [] }, voiceprints: 0, voiceprintIds: [] },
        },
      };
    }
    case 'MemberPermissionsChanged':
      return withMember(open(state), event.data.memberId, (m) => ({
        ...m,
        role: event.data.role,
        overrides: event.data.overrides,
      }));
    case 'VoiceprintEnrolled': {
      const { voiceprintId } = event.data;
      return withMember(open(state), event.data.memberId, (m) => ({
        ...m,
        voiceprints: m.voiceprints + 1,
        voiceprintIds: voiceprintId === undefined ? m.voiceprintIds : [...m.voiceprintIds, voiceprintId],
      }));
    }
    case 'VoiceprintRemoved':
      return withMember(open(state), event.data.memberId, (m) => ({
        ...m,
        voiceprints: m.voiceprints - 1,
        voiceprintIds: m.voiceprintIds.filter((id) => id !== event.data.voiceprintId),
      }));
    case 'MemberRemoved': {
      const h = open(state);
      const { [event.data.memberId]: _removed, ...members } = h.members;
      return { ...h, members };
    }
    case 'DeviceLinked': {
      const { deviceId, name, publicKey, location } = event.data;
      const h = open(state);
      return { ...h, devices: { ...h.devices, [deviceId]: { deviceId, name, publicKey, location } } };
    }
    case 'DeviceUnlinked': {
      const h = open(state);
      const { [event.data.deviceId]: _gone, ...devices } = h.devices;
      return { ...h, devices };
    }
    case 'ContactAdded': {
      const h = open(state);
      return { ...h, contactIds: [...h.contactIds, event.data.contactId] };
    }
    case 'AwayModeChanged':
      return { ...open(state), awayMode: { enabled: event.data.enabled, until: event.data.until } };
    case 'QuietHoursChanged':
      return { ...open(state), quietHours: event.data.windows };
    case 'ApproverRegistered': {
      const h = open(state);
      const { approverId, memberId, publicKey } = event.data;
      return { ...h, approvers: { ...h.approvers, [approverId]: { approverId, memberId, publicKey } } };
    }
    case 'ApproverRemoved': {
      const h = open(state);
      const { [event.data.approverId]: _removed, ...approvers } = h.approvers;
      return { ...h, approvers };
    }
    case 'ApprovalRequested': {
      const h = open(state);
      const { approvalId, action, expiresAt } = event.data;
      return { ...h, approvals: { ...h.approvals, [approvalId]: { approvalId, action, expiresAt, status: 'pending' } } };
    }
    case 'ApprovalDecided':
      return withApproval(open(state), event.data.approvalId, event.data.decision === 'approve' ? 'approved' : 'denied');
    case 'ApprovalExpired':
      return withApproval(open(state), event.data.approvalId, 'expired');
    default: {
      const unknown: never = event;
      throw new Error(`unknown household event ${(unknown as HouseholdEvent).type}`);
    }
  }
};
