import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { accountNotFound, isAccountId, isIssuedId } from '../application/registry.errors';
import { HouseholdError } from '../domain';

/**
 * `GET /v1/accounts/:id/approvals/:approvalId`: a held action and what became of it. A pending
 * approval whose time is up shows `expired` at once, before the sweep records it.
 */
@Injectable()
export class ApprovalQuery {
  constructor(private readonly db: DataSource) {}

  async approval(accountId: string, approvalId: string) {
    if (!isAccountId(accountId)) throw accountNotFound(accountId);
    const [row] = isIssuedId(approvalId)
      ? await this.db.query(
          `SELECT approval_id AS "approvalId", CASE WHEN status = 'pending' AND expires_at <= now() THEN 'expired' ELSE status END AS status,
                  action, requested_at AS "requestedAt", expires_at AS "expiresAt", decided_at AS "decidedAt"
           FROM approvals WHERE account_id = $1 AND approval_id = $2`,
          [accountId, approvalId],
        )
      : [];
    if (!row) throw new HouseholdError('approval_not_found', `No approval ${approvalId} in account ${accountId}.`);
    return row;
  }
}
