import type {
  AccountOpened,
  ContactAdded,
  DeviceLinked,
  DeviceUnlinked,
  MemberAdded,
  MemberPermissionsChanged,
  VoiceprintEnrolled,
} from '@homeline/contracts';

/** The household registry's events (stream = accountId), published as they are for routing's projection. */
export type HouseholdEvent =
  | { readonly type: 'AccountOpened'; readonly data: AccountOpened }
  | { readonly type: 'MemberAdded'; readonly data: MemberAdded }
  | { readonly type: 'MemberPermissionsChanged'; readonly data: MemberPermissionsChanged }
  | { readonly type: 'VoiceprintEnrolled'; readonly data: VoiceprintEnrolled }
  | { readonly type: 'DeviceLinked'; readonly data: DeviceLinked }
  | { readonly type: 'DeviceUnlinked'; readonly data: DeviceUnlinked }
  | { readonly type: 'ContactAdded'; readonly data: ContactAdded };
