import type { RecordedEvent } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import { voiceprintNotFound, type HouseholdEvent } from '../domain';

type Recorded<T extends HouseholdEvent['type']> = RecordedEvent<Extract<HouseholdEvent, { type: T }>>;
export type RecordedApprovalEvent =
  | Recorded<'ApproverRegistered'>
  | Recorded<'ApproverRemoved'>
  | Recorded<'ApprovalRequested'>
  | Recorded<'ApprovalDecided'>
  | Recorded<'ApprovalExpired'>;

const requestApproval = async (tx: EntityManager, { data }: Recorded<'ApprovalRequested'>) => {
  // A print enrolled before events named it is known by id only here: the owner is asked only about one that is the member's.
  if (data.action.type === 'remove_voiceprint') {
    const { memberId, voiceprintId } = data.action;
    const found: unknown[] = await tx.query(`SELECT 1 FROM voiceprints WHERE voiceprint_id = $1 AND member_id = $2 AND account_id = $3`, [
      voiceprintId, memberId, data.accountId,
    ]);
    if (found.length === 0) throw voiceprintNotFound(memberId, voiceprintId);
  }
  // A held device's id and key, so that verification can tell it apart from an unknown one.
  const device = data.action.type === 'link_device' ? data.action : null;
  await tx.query(
    `INSERT INTO approvals (approval_id, account_id, action, status, requested_at, expires_at, device_id, device_public_key)
     VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7)`,
    [data.approvalId, data.accountId, JSON.stringify(data.action), data.requestedAt, data.expiresAt, device?.deviceId ?? null,
      device ? Buffer.from(device.publicKey, 'base64') : null],
  );
};

/** A held enrolment's embedding (storeVoiceprint): recognised from now on if approved, else forgotten. */
const releaseHeldVoiceprint = async (tx: EntityManager, approvalId: string, approved: boolean): Promise<void> => {
  await tx.query(
    `WITH held AS (DELETE FROM held_voiceprints WHERE approval_id = $1 RETURNING voiceprint_id, member_id, account_id, sealed)
     INSERT INTO voiceprints (voiceprint_id, member_id, account_id, sealed) SELECT * FROM held WHERE $2`,
    [approvalId, approved],
  );
};

/** Step-up approval's read tables (approvers, approvals), kept in the transaction of the append like the rest of the registry. */
export const projectApproval = async (tx: EntityManager, event: RecordedApprovalEvent): Promise<void> => {
  switch (event.type) {
    case 'ApproverRegistered': {
      const { accountId, approverId, memberId, publicKey } = event.data;
      await tx.query(`INSERT INTO approvers (account_id, approver_id, member_id, public_key, registered_at) VALUES ($1, $2, $3, $4, $5)`, [
        accountId, approverId, memberId, Buffer.from(publicKey, 'base64'), event.occurredAt,
      ]);
      return;
    }
    case 'ApproverRemoved':
      await tx.query(`DELETE FROM approvers WHERE account_id = $1 AND approver_id = $2`, [event.data.accountId, event.data.approverId]);
      return;
    case 'ApprovalRequested':
      return requestApproval(tx, event);
    case 'ApprovalDecided': {
      const { approvalId, accountId, decision, approverId } = event.data;
      await tx.query(`UPDATE approvals SET status = $3, decided_at = $4, approver_id = $5 WHERE approval_id = $1 AND account_id = $2`, [
        approvalId, accountId, decision === 'approve' ? 'approved' : 'denied', event.occurredAt, approverId,
      ]);
      return releaseHeldVoiceprint(tx, approvalId, decision === 'approve');
    }
    case 'ApprovalExpired':
      await tx.query(`UPDATE approvals SET status = 'expired', decided_at = $3 WHERE approval_id = $1 AND account_id = $2`, [
        event.data.approvalId, event.data.accountId, event.occurredAt,
      ]);
      return releaseHeldVoiceprint(tx, event.data.approvalId, false);
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
};
