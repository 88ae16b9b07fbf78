import type { MemberRole, PermissionOverrides } from '@homeline/contracts';
import { Injectable } from '@nestjs/common';
import { type Companion, forgetOlderThan, rawQuery, treatUniqueViolationAsRace } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import { nonceKey, VerificationStore, type CallingContact, type NonceUse, type SealedVoiceprint } from '../application/verification.store';
import type { LinkedDevice } from '../domain';

/** The replay guard's key (registry.migration.ts): a violation means another delivery burnt the nonce first. */
export const nonceConstraint = 'assertion_nonces_pkey';

/** Verification's statements on identity's tables, each prepared once per connection (rawQuery). */
@Injectable()
export class SqlVerificationStore extends VerificationStore {
  constructor() {
    super();
    treatUniqueViolationAsRace(nonceConstraint);
  }

  // A device held for an owner's approval comes too, marked held; a linked device wins over a held one.
  async linkedDevices(tx: EntityManager, deviceIds: readonly string[]): Promise<Map<string, LinkedDevice>> {
    const rows = await rawQuery<{ device_id: string; account_id: string; public_key: Buffer; held: boolean }>(
      tx,
      'identity_linked_devices_v2',
      `SELECT DISTINCT ON (device_id) device_id, account_id, public_key, held FROM (
         SELECT device_id, account_id, public_key, false AS held, linked_at AS since FROM devices
         WHERE device_id = ANY($1::text[]) AND unlinked_at IS NULL
         UNION ALL
         SELECT device_id, account_id, device_public_key, true, requested_at FROM approvals
         WHERE device_id = ANY($1::text[]) AND status = 'pending'
       ) known ORDER BY device_id, held, since DESC`,
      [deviceIds],
    );
    return new Map(rows.map((row) => [row.device_id, {
      deviceId: row.device_id, accountId: row.account_id, publicKey: row.public_key.toString('base64'), ...(row.held && { held: true }),
    }]));
  }

  async seenNonces(tx: EntityManager, nonces: readonly Pick<NonceUse, 'deviceId' | 'nonce'>[]): Promise<Set<string>> {
    const rows = await rawQuery<{ device_id: string; nonce: string }>(
      tx,
      'identity_seen_nonces_v1',
      `SELECT n.device_id, n.nonce FROM assertion_nonces n
       JOIN unnest($1::text[], $2::text[]) AS asked(device_id, nonce) USING (device_id, nonce)`,
      [nonces.map((n) => n.deviceId), nonces.map((n) => n.nonce)],
    );
    return new Set(rows.map((row) => nonceKey(row.device_id, row.nonce)));
  }

  async sealedVoiceprints(tx: EntityManager, accountIds: readonly string[]): Promise<readonly SealedVoiceprint[]> {
    // The members' role and overrides ride along, so deciding who may answer costs no statement more.
    const rows = await rawQuery<{ account_id: string; member_id: string; sealed: Buffer; role: MemberRole; overrides: PermissionOverrides }>(
      tx,
      'identity_sealed_voiceprints_v2',
      `SELECT v.account_id, v.member_id, v.sealed, m.role, m.overrides
       FROM voiceprints v JOIN members m USING (member_id) WHERE v.account_id = ANY($1::uuid[])`,
      [accountIds],
    );
    return rows.map((row) => ({ accountId: row.account_id, memberId: row.member_id, sealed: row.sealed, role: row.role, overrides: row.overrides }));
  }

  async contactsCalling(tx: EntityManager, accountIds: readonly string[], numbers: readonly string[]): Promise<readonly CallingContact[]> {
    const rows = await rawQuery<{ account_id: string; e164: string; member_id: string | null }>(
      tx,
      'identity_contacts_calling_v1',
      `SELECT account_id, e164, member_id FROM contacts WHERE account_id = ANY($1::uuid[]) AND e164 = ANY($2::text[])`,
      [accountIds, numbers],
    );
    return rows.map((row) => ({ accountId: row.account_id, e164: row.e164, memberId: row.member_id }));
  }

  // No ON CONFLICT: a nonce burnt by a concurrent transaction must fail this one (see nonceConstraint).
  burnNonces(nonces: readonly NonceUse[]): Companion {
    return {
      sql: `INSERT INTO assertion_nonces (device_id, nonce, call_id, issued_at)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])`,
      params: [nonces.map((n) => n.deviceId), nonces.map((n) => n.nonce), nonces.map((n) => n.callId), nonces.map((n) => n.issuedAt)],
    };
  }

  forgetNonces(db: EntityManager, retentionSeconds: number, limit: number): Promise<number> {
    return forgetOlderThan(db, 'assertion_nonces', 'issued_at', retentionSeconds, limit);
  }
}
