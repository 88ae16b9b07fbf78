import type { ApprovalDecision } from '@homeline/contracts';
import { runInTransaction, type IdGenerator } from '@homeline/event-store';
import type { DataSource } from 'typeorm';
import { HouseholdError, type SignatureFreshness } from '../domain';
import { heldOr, type Request } from './household-registry';
import type { HouseholdWrites } from './household-writes';
import { accountNotFound, isAccountId, isIssuedId } from './registry.errors';

export interface RegisterApproverInput { readonly approverId: string; readonly publicKey: string }
/** The carrier's record of how it verified the account holder (a ticket, a store visit). */
export interface RecoveryInput { readonly reason: string }
export interface DecideApprovalInput {
  readonly approverId: string;
  readonly decision: ApprovalDecision;
  readonly signedAt: string;
  readonly signature: string;
}

/** Step-up approval's settings, from the service's configuration. */
export interface ApprovalPolicy {
  /** APPROVAL_TTL_SECONDS */
  readonly ttlSeconds: number;
  /** APPROVAL_SIGNATURE_MAX_AGE_SECONDS, and the devices' ASSERTION_FUTURE_SKEW_SECONDS. */
  readonly signature: SignatureFreshness;
}

const sweepSize = 500;

/**
 * Step-up approval's use cases (docs/architecture.md section 6.2), on the household's write path:
 * an owner registers an approver phone; the phone's signed answer approves or denies a held
 * action; approvals nobody answered expire, a sweep's batch at a time.
 */
export class StepUpApprovals {
  constructor(
    private readonly writes: HouseholdWrites,
    private readonly ids: IdGenerator,
    private readonly policy: ApprovalPolicy,
  ) {}

  /** The first approver of a household is registered at once; another one needs an approver's yes. */
  registerApprover(accountId: string, memberId: string, { idempotencyKey, body }: Request<RegisterApproverInput>) {
    if (!isAccountId(accountId)) return Promise.reject(accountNotFound(accountId));
    if (!isIssuedId(memberId)) return Promise.reject(new HouseholdError('member_not_found', `No member ${memberId}.`));
    const hold = { approvalId: this.ids.next(), ttlSeconds: this.policy.ttlSeconds };
    const command = { type: 'RegisterApprover', accountId, memberId, ...body, hold } as const;
    return this.writes.run(`POST /v1/accounts/${accountId}/members/${memberId}/approvers`, idempotencyKey, body, command, (outcome) =>
      heldOr(outcome, () => ({ status: 201, body: { approverId: body.approverId, memberId } })));
  }

  /**
   * An approver phone off the household (lost, or no longer trusted): held for another approver's
   * yes (202); the household's only approver is refused (409 last_approver): the carrier's account
   * recovery removes that one.
   */
  removeApprover(accountId: string, approverId: string, idempotencyKey?: string) {
    if (!isAccountId(accountId)) return Promise.reject(accountNotFound(accountId));
    const hold = { approvalId: this.ids.next(), ttlSeconds: this.policy.ttlSeconds };
    const command = { type: 'RemoveApprover', accountId, approverId, hold } as const;
    return this.writes.run(`DELETE /v1/accounts/${accountId}/approvers/${approverId}`, idempotencyKey, {}, command, (outcome) =>
      heldOr(outcome, () => ({ status: 204, body: null })));
  }

  /**
   * The carrier's account recovery, once its own process has verified the account holder: every
   * approver removed, every action waiting for one expired. Answers with what went.
   */
  recover(accountId: string, { idempotencyKey, body }: Request<RecoveryInput>) {
    if (!isAccountId(accountId)) return Promise.reject(accountNotFound(accountId));
    const command = { type: 'RecoverApprovers', accountId, reason: body.reason } as const;
    return this.writes.run(`POST /v1/accounts/${accountId}/approvers/recovery`, idempotencyKey, body, command, ({ newEvents }) => ({
      status: 200,
      body: {
        removedApprovers: newEvents.flatMap((e) => (e.type === 'ApproverRemoved' ? [e.data.approverId] : [])),
        expiredApprovals: newEvents.flatMap((e) => (e.type === 'ApprovalExpired' ? [e.data.approvalId] : [])),
      },
    }));
  }

  /** Answers with the approval's new status and its action (taken, when approved). */
  decide(accountId: string, approvalId: string, { idempotencyKey, body }: Request<DecideApprovalInput>) {
    if (!isAccountId(accountId)) return Promise.reject(accountNotFound(accountId));
    if (!isIssuedId(approvalId)) return Promise.reject(new HouseholdError('approval_not_found', `No approval ${approvalId}.`));
    const command = { type: 'DecideApproval', accountId, approvalId, ...body, freshness: this.policy.signature } as const;
    return this.writes.run(`POST /v1/accounts/${accountId}/approvals/${approvalId}`, idempotencyKey, body, command, ({ state }) => {
      const approval = state.status === 'open' ? state.approvals[approvalId] : undefined;
      if (!approval) throw new Error(`expected approval ${approvalId} after deciding it`);
      return { status: 200, body: { approvalId, status: approval.status, action: approval.action } };
    });
  }

  /**
   * Expires every pending approval whose time is up (by the database's clock), in batches of 500,
   * each one transaction of one read and one append for all its households; says how many. Several
   * replicas may sweep: an approval answered or expired meanwhile decides nothing.
   */
  async expireDue(db: DataSource): Promise<number> {
    let expired = 0;
    for (;;) {
      const { due, changed } = await runInTransaction(db, async (tx) => {
        const rows: { approval_id: string; account_id: string; now: Date }[] = await tx.query(
          `SELECT a.approval_id, a.account_id, clock.now FROM (SELECT now() AS now) clock
           JOIN approvals a ON a.status = 'pending' AND a.expires_at <= clock.now ORDER BY a.expires_at LIMIT $1`,
          [sweepSize],
        );
        if (rows.length === 0) return { due: 0, changed: 0 };
        const expiries = rows.map((row) => ({ type: 'ExpireApproval', accountId: row.account_id, approvalId: row.approval_id }) as const);
        const outcomes = await this.writes.handleAll(tx, expiries, rows[0].now);
        return { due: rows.length, changed: outcomes.filter((o) => o.newEvents.length > 0).length };
      });
      expired += changed;
      if (due < sweepSize || changed === 0) return expired;
    }
  }
}
