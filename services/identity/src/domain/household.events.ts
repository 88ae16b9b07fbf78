import type {
  AccountClosed,
  AccountOpened,
  ApprovalDecided,
  ApprovalExpired,
  ApprovalRequested,
  ApproverRegistered,
  ApproverRemoved,
  AwayModeChanged,
  ContactAdded,
  DeviceLinked,
  DeviceUnlinked,
  MemberAdded,
  MemberPermissionsChanged,
  MemberRemoved,
  QuietHoursChanged,
  VoiceprintEnrolled,
  VoiceprintRemoved,
} from '@homeline/contracts';

/** The household registry's events (stream = accountId), published as they are for routing's projection. */
export type HouseholdEvent =
  | { readonly type: 'AccountOpened'; readonly data: AccountOpened }
  | { readonly type: 'AccountClosed'; readonly data: AccountClosed }
  | { readonly type: 'MemberAdded'; readonly data: MemberAdded }
  | { readonly type: 'MemberPermissionsChanged'; readonly data: MemberPermissionsChanged }
  | { readonly type: 'VoiceprintEnrolled'; readonly data: VoiceprintEnrolled }
  | { readonly type: 'VoiceprintRemoved'; readonly data: VoiceprintRemoved }
  | { readonly type: 'MemberRemoved'; readonly data: MemberRemoved }
  | { readonly type: 'DeviceLinked'; readonly data: DeviceLinked }
  | { readonly type: 'DeviceUnlinked'; readonly data: DeviceUnlinked }
  | { readonly type: 'ContactAdded'; readonly data: ContactAdded }
  | { readonly type: 'AwayModeChanged'; readonly data: AwayModeChanged }
  | { readonly type: 'QuietHoursChanged'; readonly data: QuietHoursChanged }
  | { readonly type: 'ApproverRegistered'; readonly data: ApproverRegistered }
  | { readonly type: 'ApproverRemoved'; readonly data: ApproverRemoved }
  | { readonly type: 'ApprovalRequested'; readonly data: ApprovalRequested }
  | { readonly type: 'ApprovalDecided'; readonly data: ApprovalDecided }
  | { readonly type: 'ApprovalExpired'; readonly data: ApprovalExpired };
