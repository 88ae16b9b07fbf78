import type {
  AccountOpened, CallGrant, ContactAdded, DeviceLinked, DeviceUnlinked, MemberAdded, MemberPermissionsChanged,
  MemberRole, VoiceprintEnrolled,
} from '@homeline/contracts';

/** What may happen to a household: the events of stream `account-<accountId>`. */
export type HouseholdEvent =
  | { readonly type: 'AccountOpened'; readonly data: AccountOpened }
  | { readonly type: 'MemberAdded'; readonly data: MemberAdded }
  | { readonly type: 'MemberPermissionsChanged'; readonly data: MemberPermissionsChanged }
  | { readonly type: 'VoiceprintEnrolled'; readonly data: VoiceprintEnrolled }
  | { readonly type: 'DeviceLinked'; readonly data: DeviceLinked }
  | { readonly type: 'DeviceUnlinked'; readonly data: DeviceUnlinked }
  | { readonly type: 'ContactAdded'; readonly data: ContactAdded };

export const householdEventTypes: readonly HouseholdEvent['type'][] = [
  'AccountOpened', 'MemberAdded', 'MemberPermissionsChanged', 'VoiceprintEnrolled', 'DeviceLinked', 'DeviceUnlinked', 'ContactAdded',
];

export const householdStreamId = (accountId: string): string => `account-${accountId}`;

export interface HouseholdMember {
  readonly role: MemberRole;
  readonly grants: readonly CallGrant[];
}

export type Household =
  | { readonly status: 'unopened' }
  | {
      readonly status: 'open';
      readonly accountId: string;
      /** ISO 3166-1 alpha-2 of the registered address: the default region for numbers. */
      readonly country: string;
      readonly members: ReadonlyMap<string, HouseholdMember>;
      readonly linkedDevices: ReadonlySet<string>;
    };

export type OpenHousehold = Extract<Household, { status: 'open' }>;

export const initialHousehold = (): Household => ({ status: 'unopened' });

const withMember = (state: OpenHousehold, memberId: string, member: HouseholdMember): OpenHousehold => ({
  ...state,
  members: new Map(state.members).set(memberId, member),
});

const withDevices = (state: OpenHousehold, change: (devices: Set<string>) => void): OpenHousehold => {
  const linkedDevices = new Set(state.linkedDevices);
  change(linkedDevices);
  return { ...state, linkedDevices };
};

export const evolve = (state: Household, event: HouseholdEvent): Household => {
  if (event.type === 'AccountOpened') {
    const { accountId, address } = event.data;
    return { status: 'open', accountId, country: address.country, members: new Map(), linkedDevices: new Set() };
  }
  if (state.status !== 'open') return state;
  switch (event.type) {
    case 'MemberAdded':
    case 'MemberPermissionsChanged':
      return withMember(state, event.data.memberId, { role: event.data.role, grants: event.data.grants });
    case 'DeviceLinked':
      return withDevices(state, (devices) => devices.add(event.data.deviceId));
    case 'DeviceUnlinked':
      return withDevices(state, (devices) => devices.delete(event.data.deviceId));
    case 'VoiceprintEnrolled':
    case 'ContactAdded':
      return state;
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
};
