import type { RecordedEvent } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import { HouseholdError, voiceprintNotFound, type HouseholdEvent } from '../domain';
import { projectApproval } from './approval-projection';
import { msisdnAlreadyRegistered } from './registry.errors';

type Recorded<T extends HouseholdEvent['type']> = RecordedEvent<Extract<HouseholdEvent, { type: T }>>;
/** A recorded household event whose `type` narrows `data`. */
type RecordedHouseholdEvent = { [T in HouseholdEvent['type']]: Recorded<T> }[HouseholdEvent['type']];

const openAccount = async (tx: EntityManager, { data, occurredAt }: Recorded<'AccountOpened'>) => {
  const rows: unknown[] = await tx.query(
    `INSERT INTO accounts (account_id, msisdn, display_name, timezone, country, address, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (msisdn) DO NOTHING RETURNING account_id`,
    [data.accountId, data.msisdn, data.displayName, data.timezone, data.address.country, JSON.stringify(data.address), occurredAt],
  );
  if (rows.length === 0) throw msisdnAlreadyRegistered(data.msisdn);
};

// A device belongs to one household at a time: the row is taken over only once unlinked.
const linkDevice = async (tx: EntityManager, { data, occurredAt }: Recorded<'DeviceLinked'>) => {
  const rows: unknown[] = await tx.query(
    `INSERT INTO devices (device_id, account_id, name, public_key, location, linked_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (device_id) DO UPDATE SET account_id = excluded.account_id, name = excluded.name,
       public_key = excluded.public_key, location = excluded.location, linked_at = excluded.linked_at, unlinked_at = NULL
     WHERE devices.unlinked_at IS NOT NULL
     RETURNING device_id`,
    [data.deviceId, data.accountId, data.name, Buffer.from(data.publicKey, 'base64'), data.location && JSON.stringify(data.location), occurredAt],
  );
  if (rows.length === 0) throw new HouseholdError('device_already_linked', `Device ${data.deviceId} is linked to another household; unlink it there first.`);
};

/**
 * Everything identity keeps of the household goes (its events stay: section 4), children first for
 * the foreign keys; the line is then free for another household. The speakers' rows go too (they
 * were unlinked in the same append): linked again elsewhere, a row is written afresh.
 */
const closeAccount = async (tx: EntityManager, { data }: Recorded<'AccountClosed'>) => {
  await tx.query(
    `WITH held AS (DELETE FROM held_voiceprints WHERE account_id = $1),
          prints AS (DELETE FROM voiceprints WHERE account_id = $1),
          contacts AS (DELETE FROM contacts WHERE account_id = $1),
          approvers AS (DELETE FROM approvers WHERE account_id = $1),
          approvals AS (DELETE FROM approvals WHERE account_id = $1),
          devices AS (DELETE FROM devices WHERE account_id = $1)
     SELECT 1`,
    [data.accountId],
  );
  await tx.query(`DELETE FROM members WHERE account_id = $1`, [data.accountId]);
  await tx.query(`DELETE FROM accounts WHERE account_id = $1`, [data.accountId]);
};

/**
 * The member's row and everything identity keeps for them: their voiceprints (held ones too: their
 * approvals expired in the same append) and their own contacts. Their approvers went before them
 * (an approving owner is never removed), so nothing else refers to the row.
 */
const removeMember = async (tx: EntityManager, { data }: Recorded<'MemberRemoved'>) => {
  await tx.query(
    `WITH prints AS (DELETE FROM voiceprints WHERE member_id = $1 AND account_id = $2),
          held AS (DELETE FROM held_voiceprints WHERE member_id = $1 AND account_id = $2),
          contacts AS (DELETE FROM contacts WHERE member_id = $1 AND account_id = $2)
     SELECT 1`,
    [data.memberId, data.accountId],
  );
  await tx.query(`DELETE FROM members WHERE member_id = $1 AND account_id = $2`, [data.memberId, data.accountId]);
};

const applyOne = async (tx: EntityManager, event: RecordedHouseholdEvent): Promise<void> => {
  switch (event.type) {
    case 'AccountOpened':
      return openAccount(tx, event);
    case 'AccountClosed':
      return closeAccount(tx, event);
    case 'MemberAdded': {
      const { memberId, accountId, name, role, grants } = event.data;
      await tx.query(`INSERT INTO members (member_id, account_id, name, role, grants, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
        memberId, accountId, name, role, grants, event.occurredAt,
      ]);
      return;
    }
    case 'MemberPermissionsChanged': {
      const { memberId, accountId, role, overrides, grants } = event.data;
      await tx.query(`UPDATE members SET role = $3, overrides = $4, grants = $5 WHERE member_id = $1 AND account_id = $2`, [
        memberId, accountId, role, JSON.stringify(overrides), grants,
      ]);
      return;
    }
    case 'DeviceLinked':
      return linkDevice(tx, event);
    case 'DeviceUnlinked':
      // The row stays (an unlinked speaker is refused as such); what the household called it, and where it stood, go.
      await tx.query(`UPDATE devices SET unlinked_at = $3, name = '', location = NULL WHERE device_id = $1 AND account_id = $2`, [
        event.data.deviceId, event.data.accountId, event.occurredAt,
      ]);
      return;
    case 'ContactAdded': {
      const { contactId, accountId, memberId, name, aliases, e164, sensitive = false } = event.data;
      await tx.query(
        `INSERT INTO contacts (contact_id, account_id, member_id, name, aliases, e164, sensitive, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [contactId, accountId, memberId, name, aliases, e164, sensitive, event.occurredAt],
      );
      return;
    }
    case 'AwayModeChanged':
      await tx.query(`UPDATE accounts SET away_enabled = $2, away_until = $3 WHERE account_id = $1`, [
        event.data.accountId, event.data.enabled, event.data.until,
      ]);
      return;
    case 'QuietHoursChanged':
      await tx.query(`UPDATE accounts SET quiet_hours = $2 WHERE account_id = $1`, [event.data.accountId, JSON.stringify(event.data.windows)]);
      return;
    case 'VoiceprintEnrolled':
      return; // the sealed embedding is stored by the enrolment itself (storeVoiceprint): it is never in an event
    case 'VoiceprintRemoved': {
      const { accountId, memberId, voiceprintId } = event.data;
      const [{ removed }] = await tx.query(
        `WITH gone AS (DELETE FROM voiceprints WHERE voiceprint_id = $1 AND member_id = $2 AND account_id = $3 RETURNING 1) SELECT count(*)::int AS removed FROM gone`,
        [voiceprintId, memberId, accountId],
      );
      // A print enrolled before events named it is known by id only here (household.decide.ts removeVoiceprint).
      if (removed === 0) throw voiceprintNotFound(memberId, voiceprintId);
      return;
    }
    case 'MemberRemoved':
      return removeMember(tx, event);
    case 'ApproverRegistered':
    case 'ApproverRemoved':
    case 'ApprovalRequested':
    case 'ApprovalDecided':
    case 'ApprovalExpired':
      return projectApproval(tx, event);
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
};

/**
 * Keeps identity's registry tables in step with the account stream, in the transaction of the
 * append; a read-model constraint that fails (a line or device taken by another household)
 * rolls the append back with it.
 */
export const projectHousehold = async (tx: EntityManager, events: readonly RecordedEvent[]): Promise<void> => {
  for (const event of events) await applyOne(tx, event as RecordedHouseholdEvent);
};

export interface SealedVoiceprint {
  readonly voiceprintId: string;
  readonly memberId: string;
  readonly accountId: string;
  readonly sealed: Buffer;
}

/**
 * The sealed embedding of an enrolment: stored beside its VoiceprintEnrolled event, never in it.
 * One held for an owner's approval waits in held_voiceprints, where verification never looks;
 * projectApproval moves it into voiceprints when it is approved and drops it otherwise.
 */
export const storeVoiceprint = async (tx: EntityManager, print: SealedVoiceprint, heldFor: string | null): Promise<void> => {
  const { voiceprintId, memberId, accountId, sealed } = print;
  await (heldFor === null
    ? tx.query(`INSERT INTO voiceprints (voiceprint_id, member_id, account_id, sealed) VALUES ($1, $2, $3, $4)`, [voiceprintId, memberId, accountId, sealed])
    : tx.query(`INSERT INTO held_voiceprints (approval_id, voiceprint_id, member_id, account_id, sealed) VALUES ($1, $2, $3, $4, $5)`, [
        heldFor, voiceprintId, memberId, accountId, sealed,
      ]));
};
