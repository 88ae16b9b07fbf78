import { isAcceptableDeviceKey, isApprovalSignedBy, type ApprovalAction, type ApprovalRaise, type CallGrant, type MemberRole } from '@homeline/contracts';
import type { Household } from './household';
import type { DecideApproval, ExpireApproval, RecoverApprovers, RegisterApprover, RemoveApprover } from './household.commands';
import { HouseholdError } from './household.errors';
import type { HouseholdEvent } from './household.events';

/**
 * Step-up approval (docs/architecture.md section 6.2): once a household has an approver — an
 * owner's phone — linking a device, making an owner, granting premium, international or
 * answer_sensitive, and registering another approver wait for an owner's signed yes. A held
 * action is announced only as ApprovalRequested; its own events (DeviceLinked, ...) are decided
 * and appended when it is approved, so no other service ever sees a held device or grant.
 */

export interface Approver {
  readonly approverId: string;
  /** The owner whose phone it is: it approves only while they are an owner. */
  readonly memberId: string;
  readonly publicKey: string;
}

export interface Approval {
  readonly approvalId: string;
  readonly action: ApprovalAction;
  readonly expiresAt: string;
  readonly status: 'pending' | 'approved' | 'denied' | 'expired';
}

/** The approval a held command would get, fixed by the caller before the first attempt. */
export interface HoldTicket {
  readonly approvalId: string;
  /** APPROVAL_TTL_SECONDS: unanswered for this long, it expires. */
  readonly ttlSeconds: number;
}

/** How fresh an approver's signature must be when it arrives. */
export interface SignatureFreshness {
  readonly maxAgeSeconds: number;
  readonly futureSkewSeconds: number;
}

const heldGrants = ['premium', 'international', 'answer_sensitive'] as const satisfies readonly (CallGrant & ApprovalRaise)[];

const entry = <T>(entries: Readonly<Record<string, T>>, id: string): T | undefined => (Object.hasOwn(entries, id) ? entries[id] : undefined);

/** What a member change gives that needs approval: the owner role, or a held grant the member did not have. */
export const raisesOf = (
  before: { readonly role: MemberRole; readonly grants: readonly CallGrant[] },
  after: { readonly role: MemberRole; readonly grants: readonly CallGrant[] },
): ApprovalRaise[] => [
  ...(after.role === 'owner' && before.role !== 'owner' ? (['owner'] as const) : []),
  ...heldGrants.filter((grant) => after.grants.includes(grant) && !before.grants.includes(grant)),
];

/**
 * The events of an action, or — when the household has an approver and the action is one that
 * needs it — ApprovalRequested instead. The action was decided first, so only a valid one is held.
 */
export const holdOr = (
  h: Household,
  command: { readonly now: string; readonly hold?: HoldTicket },
  action: ApprovalAction | null,
  events: readonly HouseholdEvent[],
): HouseholdEvent[] => {
  if (action === null || Object.keys(h.approvers).length === 0) return [...events];
  if (!command.hold) throw new Error('a held action needs a hold ticket (approvalId, ttlSeconds)');
  const { approvalId, ttlSeconds } = command.hold;
  const expiresAt = new Date(Date.parse(command.now) + ttlSeconds * 1000).toISOString();
  return [{ type: 'ApprovalRequested', data: { approvalId, accountId: h.accountId, action, requestedAt: command.now, expiresAt } }];
};

/** The approvals still waiting at `now`: one whose time is up counts as expired, before the sweep records it. */
export const stillPending = (h: Household, now: string, waiting: (action: ApprovalAction) => boolean): Approval[] =>
  Object.values(h.approvals).filter((a) => a.status === 'pending' && Date.parse(a.expiresAt) > Date.parse(now) && waiting(a.action));

/** These approvals expire (the actions they held are not taken): one ApprovalExpired each. */
export const expired = (h: Household, approvals: readonly Approval[]): HouseholdEvent[] =>
  approvals.map(({ approvalId }) => ({ type: 'ApprovalExpired', data: { approvalId, accountId: h.accountId } }));

/** A device or approver already waiting for approval is not asked for twice. */
export const refuseWhilePending = (h: Household, now: string, waiting: (action: ApprovalAction) => boolean, what: string): void => {
  const [pending] = stillPending(h, now, waiting);
  if (pending) throw new HouseholdError('awaiting_approval', `${what} is waiting for approval ${pending.approvalId}`);
};

/** Only an owner registers an approver, with a key of full order; approverIds are unique in the household. */
export const registerApprover = (c: RegisterApprover, h: Household): HouseholdEvent[] => {
  const member = entry(h.members, c.memberId);
  if (!member) throw new HouseholdError('member_not_found', `member ${c.memberId} is not in account ${h.accountId}`);
  if (member.role !== 'owner') throw new HouseholdError('member_not_owner', `only an owner's phone approves; ${c.memberId} is ${member.role}`);
  if (entry(h.approvers, c.approverId)) throw new HouseholdError('approver_already_registered', `approver ${c.approverId} is already registered`);
  if (!isAcceptableDeviceKey(c.publicKey)) {
    throw new HouseholdError('invalid_public_key', 'publicKey must be the base64 of a raw 32-byte Ed25519 public key of full order');
  }
  const { memberId, approverId, publicKey } = c;
  return [{ type: 'ApproverRegistered', data: { accountId: h.accountId, memberId, approverId, publicKey } }];
};

/**
 * An approver phone off the household (lost, or an ex-partner's): another owner's approver must
 * approve it (decideApproval refuses its owner's say, from any of their phones), so the household's
 * only approver cannot be removed this way — the carrier's account recovery does that (recoverApprovers).
 */
export const removeApprover = (c: RemoveApprover, h: Household): HouseholdEvent[] => {
  const approver = entry(h.approvers, c.approverId);
  if (!approver) throw new HouseholdError('approver_not_found', `${c.approverId} is no approver of ${h.accountId}`);
  if (Object.keys(h.approvers).length === 1) {
    throw new HouseholdError('last_approver', `${c.approverId} is the household's only approver: only the carrier's account recovery removes it`);
  }
  const { approverId, memberId } = approver;
  return [{ type: 'ApproverRemoved', data: { accountId: h.accountId, approverId, memberId, via: 'approval', reason: null } }];
};

/**
 * The carrier's account recovery, after its own check of the account holder: every approver goes,
 * and every action waiting for one expires — a new approver must not approve what was asked
 * while the old ones held the household (a device an intruder asked to link, say).
 */
export const recoverApprovers = (c: RecoverApprovers, h: Household): HouseholdEvent[] => {
  const approvers = Object.values(h.approvers);
  if (approvers.length === 0) throw new HouseholdError('no_approver', `${h.accountId} has no approver to recover from`);
  return [
    ...approvers.map(({ approverId, memberId }): HouseholdEvent => ({
      type: 'ApproverRemoved', data: { accountId: h.accountId, approverId, memberId, via: 'carrier_recovery', reason: c.reason },
    })),
    ...expired(h, stillPending(h, c.now, () => true)),
  ];
};

const isFresh = (signedAt: string, now: string, freshness: SignatureFreshness): boolean => {
  const ageMs = Date.parse(now) - Date.parse(signedAt);
  return ageMs <= freshness.maxAgeSeconds * 1000 && ageMs >= -freshness.futureSkewSeconds * 1000;
};

/** Who may answer: a registered approver of this household, signing for an owner who still is one. */
const approverFor = (c: DecideApproval, h: Household): Approver => {
  const approver = entry(h.approvers, c.approverId);
  if (!approver || entry(h.members, approver.memberId)?.role !== 'owner') {
    throw new HouseholdError('unknown_approver', `${c.approverId} is no approver of an owner of ${h.accountId}`);
  }
  if (!isApprovalSignedBy(c, approver.publicKey)) {
    throw new HouseholdError('invalid_approval_signature', `the decision is not signed by approver ${c.approverId}'s key`);
  }
  if (!isFresh(c.signedAt, c.now, c.freshness)) throw new HouseholdError('stale_approval_signature', `a decision signed at ${c.signedAt} is not fresh`);
  return approver;
};

/**
 * An owner's signed answer. Approved, the action is decided again now, on the household as it is
 * (`apply`), and its events follow ApprovalDecided in the same append; denied, nothing else happens.
 * Who signed is checked before the approval's state is told.
 */
export const decideApproval = (c: DecideApproval, h: Household, apply: (action: ApprovalAction) => HouseholdEvent[]): HouseholdEvent[] => {
  const approval = entry(h.approvals, c.approvalId);
  if (!approval) throw new HouseholdError('approval_not_found', `no approval ${c.approvalId} in ${h.accountId}`);
  const approver = approverFor(c, h);
  if (approval.action.type === 'remove_approver') refuseOwnRemoval(approval.action, approver, h);
  const lapsed = approval.status === 'pending' && !(Date.parse(c.now) < Date.parse(approval.expiresAt));
  if (approval.status === 'expired' || lapsed) throw new HouseholdError('approval_expired', `approval ${c.approvalId} expired at ${approval.expiresAt}`);
  if (approval.status !== 'pending') throw new HouseholdError('approval_already_decided', `approval ${c.approvalId} was already ${approval.status}`);
  const { approvalId, approverId, decision, signedAt } = c;
  const decided: HouseholdEvent = { type: 'ApprovalDecided', data: { approvalId, accountId: h.accountId, approverId, memberId: approver.memberId, decision, signedAt } };
  return decision === 'approve' ? [decided, ...apply(approval.action)] : [decided];
};

/**
 * A phone never decides its own removal; nor does another phone of its owner while another owner
 * has an approver (an owner with two phones would keep each with the other). An owner whose phones
 * are the household's only approvers removes a lost one with another: nobody else could.
 */
const refuseOwnRemoval = (action: { readonly approverId: string; readonly memberId: string }, approver: Approver, h: Household): void => {
  const anotherOwnerApproves = Object.values(h.approvers).some((a) => a.memberId !== action.memberId && entry(h.members, a.memberId)?.role === 'owner');
  if (approver.approverId === action.approverId || (approver.memberId === action.memberId && anotherOwnerApproves)) {
    throw new HouseholdError('own_removal', `approver ${approver.approverId} is ${approver.memberId}'s, whose phone is being removed: another owner's approver decides`);
  }
};

/** The sweep's expiry: only of an approval still pending once its time is up; anything else decides nothing. */
export const expireApproval = (c: ExpireApproval, h: Household): HouseholdEvent[] => {
  const approval = entry(h.approvals, c.approvalId);
  if (approval?.status !== 'pending' || Date.parse(c.now) < Date.parse(approval.expiresAt)) return [];
  return [{ type: 'ApprovalExpired', data: { approvalId: c.approvalId, accountId: h.accountId } }];
};
