import type { Address, ApprovalDecision, CallGrant, DeviceLocation, MemberRole, QuietWindow } from '@homeline/contracts';
import type { HoldTicket, SignatureFreshness } from './approvals';

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
/**
 * The commands an approver may have to approve (docs/architecture.md section 6.2) carry the ticket
 * their approval would get; it is used only if the action is held.
 */
interface Holdable {
  readonly hold?: HoldTicket;
}

export type AddMember = Base & Holdable & {
  readonly type: 'AddMember';
  readonly memberId: string;
  readonly name: string;
  readonly role: MemberRole;
};
/** PATCH a member: a new role and/or grants and revocations on top of it (replacing earlier overrides). */
export type ChangeMemberPermissions = Base & Holdable & {
  readonly type: 'ChangeMemberPermissions';
  readonly memberId: string;
  readonly role?: MemberRole;
  readonly grant?: readonly CallGrant[];
  readonly revoke?: readonly CallGrant[];
};
/**
 * The embedding itself is stored encrypted beside the event, not in it. Held like a device once the
 * household has an approver: a voice enrolled under a member is recognised as that member, with
 * every grant they have.
 */
export type EnrollVoiceprint = Base & Holdable & {
  readonly type: 'EnrollVoiceprint';
  readonly memberId: string;
  /** The id its sealed embedding is stored under (and held under, while its approval waits). */
  readonly voiceprintId: string;
  readonly embedding: readonly number[];
  /** VOICEPRINTS_PER_MEMBER_MAX: each print is another voice the member answers to, so they are capped. */
  readonly maxPerMember: number;
};
/**
 * Held like an enrolment once the household has an approver: a voice that two members shared too
 * closely to be told apart is told apart once one of them no longer has it (decisions section 27).
 */
export type RemoveVoiceprint = Base & Holdable & {
  readonly type: 'RemoveVoiceprint';
  readonly memberId: string;
  readonly voiceprintId: string;
};
/** The member, their voiceprints and their own contacts; held like RemoveVoiceprint, for the same reason. */
export type RemoveMember = Base & Holdable & { readonly type: 'RemoveMember'; readonly memberId: string };
export type LinkDevice = Base & Holdable & {
  readonly type: 'LinkDevice';
  readonly deviceId: string;
  readonly name: string;
  readonly publicKey: string;
  readonly location: DeviceLocation | null;
};
/**
 * Held like linking once the household has an approver: else anyone with the app could take a
 * speaker out (and with it its emergency calls), while linking it back waits for an owner.
 */
export type UnlinkDevice = Base & Holdable & { readonly type: 'UnlinkDevice'; readonly deviceId: string };
export type AddContact = Base & {
  readonly type: 'AddContact';
  readonly contactId: string;
  readonly name: string;
  readonly aliases: readonly string[];
  /** As typed: "+1 555 010 0001", "(212) 555-0123"; normalized to E.164 against the account's country. */
  readonly number: string;
  /** null for a household contact. */
  readonly memberId: string | null;
  /** A bank's or one-time-password sender's line: its calls need answer_sensitive to answer. */
  readonly sensitive: boolean;
};
/** Turn Away Mode on (until a time, or until turned off) or off. */
export type SetAwayMode = Base & {
  readonly type: 'SetAwayMode';
  readonly enabled: boolean;
  /** ISO-8601 with an offset; must be after `now`. Ignored when turning it off. */
  readonly until: string | null;
};
/** Replace every quiet-hours window ([] clears them). */
export type SetQuietHours = Base & { readonly type: 'SetQuietHours'; readonly windows: readonly QuietWindow[] };

/** An owner registers their phone as an approver: it signs their decisions on held actions. */
export type RegisterApprover = Base & Holdable & {
  readonly type: 'RegisterApprover';
  readonly memberId: string;
  readonly approverId: string;
  /** Ed25519, base64 of the raw 32 bytes. */
  readonly publicKey: string;
};
/** An approver phone taken off the household: held for another approver's approval. */
export type RemoveApprover = Base & Holdable & {
  readonly type: 'RemoveApprover';
  readonly approverId: string;
};
/**
 * The carrier's account recovery: its own process verified the account holder (in a store, by
 * their ID) and every approver goes, with every action waiting for one; `reason` is its record.
 */
export type RecoverApprovers = Base & {
  readonly type: 'RecoverApprovers';
  readonly reason: string;
};
/**
 * The carrier's account desk closes the account (contract ended, number ported out or recycled):
 * every speaker is unlinked, every waiting approval expires, and the line is free again.
 */
export type CloseAccount = Base & { readonly type: 'CloseAccount'; readonly reason: string };
/** An owner's answer, as their approver phone signed it. */
export type DecideApproval = Base & {
  readonly type: 'DecideApproval';
  readonly approvalId: string;
  readonly approverId: string;
  readonly decision: ApprovalDecision;
  readonly signedAt: string;
  readonly signature: string;
  readonly freshness: SignatureFreshness;
};
/** The sweep's: an approval nobody answered in time expires (nothing happens if it was answered). */
export type ExpireApproval = Base & { readonly type: 'ExpireApproval'; readonly approvalId: string };

export type HouseholdCommand =
  | OpenAccount
  | AddMember
  | ChangeMemberPermissions
  | EnrollVoiceprint
  | RemoveVoiceprint
  | RemoveMember
  | LinkDevice
  | UnlinkDevice
  | AddContact
  | SetAwayMode
  | SetQuietHours
  | RegisterApprover
  | RemoveApprover
  | RecoverApprovers
  | CloseAccount
  | DecideApproval
  | ExpireApproval;
