import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { accountNotFound, isAccountId } from '../application/registry.errors';

/**
 * `GET /v1/accounts/:id`: the household as integrations see it, with Away Mode as set (it lapses
 * at `until`), the quiet-hours windows and the owners' approver phones. Embeddings never leave
 * the service; a device held for approval is not among the devices.
 */
@Injectable()
export class HouseholdQuery {
  constructor(private readonly db: DataSource) {}

  async household(accountId: string) {
    if (!isAccountId(accountId)) throw accountNotFound(accountId);
    const [account] = await this.db.query(
      `SELECT account_id AS "accountId", msisdn, display_name AS "displayName", timezone, address, created_at AS "createdAt",
              away_enabled, away_until, quiet_hours AS "quietHours"
       FROM accounts WHERE account_id = $1`,
      [accountId],
    );
    if (!account) throw accountNotFound(accountId);
    const [members, devices, contacts, approvers] = await Promise.all([
      this.db.query(
        `SELECT m.member_id AS "memberId", m.name, m.role, m.overrides, m.grants,
                (SELECT count(*)::int FROM voiceprints v WHERE v.member_id = m.member_id) AS voiceprints,
                array(SELECT v.voiceprint_id::text FROM voiceprints v WHERE v.member_id = m.member_id ORDER BY v.voiceprint_id) AS "voiceprintIds"
         FROM members m WHERE m.account_id = $1 ORDER BY m.created_at, m.member_id`,
        [accountId],
      ),
      this.db.query(
        `SELECT device_id AS "deviceId", name, encode(public_key, 'base64') AS "publicKey", location, linked_at AS "linkedAt"
         FROM devices WHERE account_id = $1 AND unlinked_at IS NULL ORDER BY linked_at, device_id`,
        [accountId],
      ),
      this.db.query(
        `SELECT contact_id AS "contactId", name, aliases, e164, member_id AS "memberId", sensitive
         FROM contacts WHERE account_id = $1 ORDER BY created_at, contact_id`,
        [accountId],
      ),
      this.db.query(
        `SELECT approver_id AS "approverId", member_id AS "memberId", encode(public_key, 'base64') AS "publicKey", registered_at AS "registeredAt"
         FROM approvers WHERE account_id = $1 ORDER BY registered_at, approver_id`,
        [accountId],
      ),
    ]);
    const { away_enabled: enabled, away_until: until, ...rest } = account;
    return { ...rest, awayMode: { enabled, until }, members, devices, contacts, approvers };
  }
}
