import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { accountNotFound } from './household-command';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `GET /v1/accounts/:id`: the household as integrations see it. Embeddings never leave the service. */
@Injectable()
export class HouseholdQuery {
  constructor(private readonly db: DataSource) {}

  async household(accountId: string) {
    if (!uuidPattern.test(accountId)) throw accountNotFound(accountId);
    const [account] = await this.db.query(
      `SELECT account_id AS "accountId", msisdn, display_name AS "displayName", timezone, address, created_at AS "createdAt"
       FROM accounts WHERE account_id = $1`,
      [accountId],
    );
    if (!account) throw accountNotFound(accountId);
    const [members, devices, contacts] = await Promise.all([
      this.db.query(
        `SELECT m.member_id AS "memberId", m.name, m.role, m.overrides, m.grants,
                (SELECT count(*)::int FROM voiceprints v WHERE v.member_id = m.member_id) AS voiceprints
         FROM members m WHERE m.account_id = $1 ORDER BY m.created_at, m.member_id`,
        [accountId],
      ),
      this.db.query(
        `SELECT device_id AS "deviceId", name, encode(public_key, 'base64') AS "publicKey", location, linked_at AS "linkedAt"
         FROM devices WHERE account_id = $1 AND unlinked_at IS NULL ORDER BY linked_at, device_id`,
        [accountId],
      ),
      this.db.query(
        `SELECT contact_id AS "contactId", name, aliases, e164, member_id AS "memberId"
         FROM contacts WHERE account_id = $1 ORDER BY created_at, contact_id`,
        [accountId],
      ),
    ]);
    return { ...account, members, devices, contacts };
  }
}
