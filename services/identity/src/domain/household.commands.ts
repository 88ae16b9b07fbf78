import type { Address, CallGrant, DeviceLocation, MemberRole } from '@homeline/contracts';

/** Commands on a household (one per HTTP route of the registry). Ids and `now` come from the caller. */
interface Base {
  readonly accountId: string;
  readonly now: string;
}

export type OpenAccount = Base & {
  readonly type: 'OpenAccount';
  readonly msisdn: string;
  readonly displayName: string;
  readonly timezone: string;
  readonly address: Address;
};
export type AddMember = Base & {
  readonly type: 'AddMember';
  readonly memberId: string;
  readonly name: string;
  readonly role: MemberRole;
};
/** PATCH a member: a new role and/or grants and revocations on top of it (replacing earlier overrides). */
export type ChangeMemberPermissions = Base & {
  readonly type: 'ChangeMemberPermissions';
  readonly memberId: string;
  readonly role?: MemberRole;
  readonly grant?: readonly CallGrant[];
  readonly revoke?: readonly CallGrant[];
};
/** The embedding itself is stored encrypted beside the event, not in it. */
export type EnrollVoiceprint = Base & {
  readonly type: 'EnrollVoiceprint';
  readonly memberId: string;
  readonly embedding: readonly number[];
};
export type LinkDevice = Base & {
  readonly type: 'LinkDevice';
  readonly deviceId: string;
  readonly name: string;
  readonly publicKey: string;
  readonly location: DeviceLocation | null;
};
export type UnlinkDevice = Base & { readonly type: 'UnlinkDevice'; readonly deviceId: string };
export type AddContact = Base & {
  readonly type: 'AddContact';
  readonly contactId: string;
  readonly name: string;
  readonly aliases: readonly string[];
  /** As typed: "+1 555 010 0001", "(212) 555-0123"; normalized to E.164 against the account's country. */
  readonly number: string;
  /** null for a household contact. */
  readonly memberId: string | null;
};

export type HouseholdCommand =
  OpenAccount | AddMember | ChangeMemberPermissions | EnrollVoiceprint | LinkDevice | UnlinkDevice | AddContact;
