import type { Address, DeviceLocation, MemberRole, PermissionOverrides } from '@homeline/contracts';
import type { HouseholdEvent } from './household.events';

export interface HouseholdMember {
  readonly memberId: string;
  readonly name: string;
  readonly role: MemberRole;
  readonly overrides: PermissionOverrides;
  readonly voiceprints: number;
}

export interface HouseholdDevice {
  readonly deviceId: string;
  readonly name: string;
  readonly publicKey: string;
  readonly location: DeviceLocation | null;
}

export type NoHousehold = { readonly status: 'none' };
export type Household = {
  readonly status: 'open';
  readonly accountId: string;
  readonly msisdn: string;
  readonly timezone: string;
  readonly address: Address;
  readonly members: Readonly<Record<string, HouseholdMember>>;
  readonly devices: Readonly<Record<string, HouseholdDevice>>;
  readonly contactIds: readonly string[];
};
export type HouseholdState = NoHousehold | Household;

export const initialHouseholdState: HouseholdState = { status: 'none' };

const open = (state: HouseholdState): Household => {
  if (state.status !== 'open') throw new Error('no household to apply this event to');
  return state;
};

const withMember = (h: Household, memberId: string, change: (m: HouseholdMember) => HouseholdMember): Household => ({
  ...h,
  members: { ...h.members, [memberId]: change(h.members[memberId]) },
});

export const evolveHousehold = (state: HouseholdState, event: HouseholdEvent): HouseholdState => {
  switch (event.type) {
    case 'AccountOpened': {
      const { accountId, msisdn, timezone, address } = event.data;
      return { status: 'open', accountId, msisdn, timezone, address, members: {}, devices: {}, contactIds: [] };
    }
    case 'MemberAdded': {
      const { memberId, name, role } = event.data;
      const h = open(state);
      return {
        ...h,
        members: {
          ...h.members,
          [memberId]: { memberId, name, role, overrides: { grant: [], revoke: [] }, voiceprints: 0 },
        },
      };
    }
    case 'MemberPermissionsChanged':
      return withMember(open(state), event.data.memberId, (m) => ({
        ...m,
        role: event.data.role,
        overrides: event.data.overrides,
      }));
    case 'VoiceprintEnrolled':
      return withMember(open(state), event.data.memberId, (m) => ({ ...m, voiceprints: m.voiceprints + 1 }));
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
    default: {
      const unknown: never = event;
      throw new Error(`unknown household event ${(unknown as HouseholdEvent).type}`);
    }
  }
};
