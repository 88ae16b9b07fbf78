import { rawQuery } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import type { Caller, ForgettableCaller, Household, HouseholdDirectory, RegistryRun } from '../../application/ports';
import type { InboundLine } from '../../domain';

// One round trip for every household a batch of decisions reads.
const householdsSql = `
SELECT c.account_id AS "accountId", c.device_id AS "deviceId", a.msisdn, a.address,
  coalesce((SELECT json_agg(json_build_object('memberId', m.member_id, 'role', m.role, 'grants', m.grants) ORDER BY m.member_id)
            FROM members m WHERE m.account_id = a.account_id), '[]') AS members,
  coalesce((SELECT json_agg(json_build_object('contactId', k.contact_id, 'memberId', k.member_id, 'name', k.name,
                                              'aliases', k.aliases, 'e164', k.e164) ORDER BY k.contact_id)
            FROM contacts k WHERE k.account_id = a.account_id), '[]') AS contacts,
  CASE WHEN d.device_id IS NOT NULL THEN json_build_object('location', d.location) END AS device
FROM unnest($1::text[], $2::text[]) AS c(account_id, device_id)
JOIN accounts a ON a.account_id = c.account_id
LEFT JOIN devices d ON d.device_id = c.device_id AND d.account_id = c.account_id`;

/** Records what identity said is gone (registry_forgotten), from `rows` (kind, id). */
const forget = (rows: string): string =>
  `INSERT INTO registry_forgotten (kind, id) ${rows} ON CONFLICT (kind, id) DO UPDATE SET forgotten_at = now()`;

// What of the callers identity said is gone: their account closed, their speaker unlinked from it, or their speaker removed.
const forgottenSql = `
SELECT c.ord::int AS ord FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS c(account_id, device_id, member_id, ord)
WHERE EXISTS (
  SELECT 1 FROM registry_forgotten f
  WHERE (f.kind = 'account' AND f.id = c.account_id)
     OR (f.kind = 'device' AND f.id = c.account_id || '/' || c.device_id)
     OR (f.kind = 'member' AND f.id = c.member_id))`;

// Each run of identity events is one statement over its rows (as JSON, named as in the events).
const registrySql: Record<RegistryRun['type'], string> = {
  AccountOpened: `
    INSERT INTO accounts (account_id, msisdn, country, timezone, address, opened_at)
    SELECT "accountId", msisdn, upper(address->>'country'), timezone, address, "occurredAt"
    FROM jsonb_to_recordset($1::jsonb) AS x("accountId" text, msisdn text, timezone text, address jsonb, "occurredAt" timestamptz)
    ON CONFLICT (account_id) DO UPDATE
      SET msisdn = excluded.msisdn, country = excluded.country, timezone = excluded.timezone, address = excluded.address,
          opened_at = excluded.opened_at`,
  // The household goes from routing's copy: its line is no household's (an offer to it is 404 unknown_line) until opened again.
  AccountClosed: `
    WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x("accountId" text)),
    contacts_gone AS (DELETE FROM contacts k USING x WHERE k.account_id = x."accountId"),
    members_gone AS (DELETE FROM members m USING x WHERE m.account_id = x."accountId"),
    devices_gone AS (DELETE FROM devices d USING x WHERE d.account_id = x."accountId"),
    forgotten AS (${forget(`SELECT 'account', "accountId" FROM x`)})
    DELETE FROM accounts a USING x WHERE a.account_id = x."accountId"`,
  MemberAdded: `
    INSERT INTO members (member_id, account_id, name, role, grants)
    SELECT "memberId", "accountId", name, role, grants
    FROM jsonb_to_recordset($1::jsonb) AS x("memberId" text, "accountId" text, name text, role text, grants text[])
    ON CONFLICT (member_id) DO UPDATE SET name = excluded.name, role = excluded.role, grants = excluded.grants`,
  MemberPermissionsChanged: `
    UPDATE members m SET role = x.role, grants = x.grants
    FROM jsonb_to_recordset($1::jsonb) AS x("memberId" text, role text, grants text[])
    WHERE m.member_id = x."memberId"`,
  // The member goes with their own contacts, as in identity: nobody can be verified as them any more.
  MemberRemoved: `
    WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x("memberId" text, "accountId" text)),
    contacts_gone AS (DELETE FROM contacts k USING x WHERE k.member_id = x."memberId" AND k.account_id = x."accountId"),
    forgotten AS (${forget(`SELECT 'member', "memberId" FROM x`)})
    DELETE FROM members m USING x WHERE m.member_id = x."memberId" AND m.account_id = x."accountId"`,
  // An older link never overwrites a newer one: a device moved between households is read in either order.
  // Linked again to the household that unlinked it, the speaker is no longer forgotten there.
  DeviceLinked: `
    WITH x AS (
      SELECT * FROM jsonb_to_recordset($1::jsonb) AS x("deviceId" text, "accountId" text, name text, location jsonb, "occurredAt" timestamptz)
    ), remembered AS (
      DELETE FROM registry_forgotten f USING x WHERE f.kind = 'device' AND f.id = x."accountId" || '/' || x."deviceId"
    )
    INSERT INTO devices (device_id, account_id, name, location, linked_at)
    SELECT "deviceId", "accountId", name, CASE WHEN jsonb_typeof(location) = 'object' THEN location END, "occurredAt"
    FROM x
    ON CONFLICT (device_id) DO UPDATE
      SET account_id = excluded.account_id, name = excluded.name, location = excluded.location, linked_at = excluded.linked_at
      WHERE devices.linked_at IS NULL OR devices.linked_at <= excluded.linked_at`,
  // A speaker is forgotten by the household that unlinked it, not everywhere: it may be linked to another one next.
  DeviceUnlinked: `
    WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x("deviceId" text, "accountId" text)),
    forgotten AS (${forget(`SELECT 'device', "accountId" || '/' || "deviceId" FROM x`)})
    DELETE FROM devices d USING x WHERE d.device_id = x."deviceId" AND d.account_id = x."accountId"`,
  ContactAdded: `
    INSERT INTO contacts (contact_id, account_id, member_id, name, aliases, e164, sensitive)
    SELECT "contactId", "accountId", "memberId", name, aliases, e164, coalesce(sensitive, false)
    FROM jsonb_to_recordset($1::jsonb)
      AS x("contactId" text, "accountId" text, "memberId" text, name text, aliases text[], e164 text, sensitive boolean)
    ON CONFLICT (contact_id) DO UPDATE
      SET member_id = excluded.member_id, name = excluded.name, aliases = excluded.aliases, e164 = excluded.e164,
          sensitive = excluded.sensitive`,
  AwayModeChanged: `
    UPDATE accounts a SET away_enabled = x.enabled, away_until = x.until
    FROM jsonb_to_recordset($1::jsonb) AS x("accountId" text, enabled boolean, until timestamptz)
    WHERE a.account_id = x."accountId"`,
  QuietHoursChanged: `
    UPDATE accounts a SET quiet_hours = x.windows
    FROM jsonb_to_recordset($1::jsonb) AS x("accountId" text, windows jsonb)
    WHERE a.account_id = x."accountId"`,
};

// The line's household as an inbound offer reads it: one round trip. Only contacts with the caller's number are read.
const lineSql = `
SELECT a.account_id AS "accountId", a.timezone, a.away_enabled AS "awayEnabled", a.away_until AS "awayUntil",
  a.quiet_hours AS "quietHours", a.last_emergency_at AS "lastEmergencyAt",
  coalesce((SELECT array_agg(d.device_id ORDER BY d.device_id) FROM devices d WHERE d.account_id = a.account_id), '{}') AS devices,
  coalesce((SELECT json_agg(json_build_object('contactId', k.contact_id, 'memberId', k.member_id, 'name', k.name,
                                              'aliases', k.aliases, 'e164', k.e164, 'sensitive', k.sensitive) ORDER BY k.contact_id)
            FROM contacts k WHERE k.account_id = a.account_id AND k.e164 = $2), '[]') AS contacts
FROM accounts a WHERE a.account_id = $1`;

type LineRow = Omit<InboundLine, 'awayMode' | 'lastEmergencyAt'> & {
  awayEnabled: boolean;
  awayUntil: Date | null;
  lastEmergencyAt: Date | null;
};

const keyOf = (caller: Caller): string => JSON.stringify([caller.accountId, caller.deviceId]);

/** Routing's projection of identity's registry, in its own tables (accounts, members, devices, contacts). */
export class SqlHouseholdDirectory implements HouseholdDirectory {
  async find(tx: EntityManager, callers: readonly Caller[]): Promise<(caller: Caller) => Household | undefined> {
    const unique = [...new Map(callers.map((c) => [keyOf(c), c])).values()];
    const rows = await rawQuery<Household & Caller>(tx, 'routing_households_v1', householdsSql, [
      unique.map((c) => c.accountId),
      unique.map((c) => c.deviceId),
    ]);
    const households = new Map(rows.map((row) => [keyOf(row), row]));
    return (caller) => households.get(keyOf(caller));
  }

  async forgotten(tx: EntityManager, requests: readonly ForgettableCaller[]): Promise<readonly boolean[]> {
    if (requests.length === 0) return [];
    const rows = await rawQuery<{ ord: number }>(tx, 'routing_forgotten_v1', forgottenSql, [
      requests.map((r) => r.accountId), requests.map((r) => r.deviceId), requests.map((r) => r.memberId),
    ]);
    const hit = new Set(rows.map((r) => r.ord - 1));
    return requests.map((_r, i) => hit.has(i));
  }

  async apply(tx: EntityManager, run: RegistryRun): Promise<void> {
    await tx.query(registrySql[run.type], [JSON.stringify(run.rows)]);
  }

  /**
   * The line's household, its row held FOR KEY SHARE until the offer's transaction ends, taken in a
   * statement before the one that reads its devices: an unlink (InboundCalls.mayRing locks the row
   * FOR UPDATE) then either committed before the devices are read, or waits for the offer and finds
   * the call it rings. KEY SHARE, the weakest lock FOR UPDATE waits for: the offer does not wait for
   * an update of the row (Away Mode, the time of an emergency call: a call-back right after a 911).
   * Two households know the line only while the closure of the one that had it has not reached
   * routing (identity's events for the two travel on different partitions): the line is the one
   * that opened it last, never the closed one's speakers.
   */
  async lineOf(tx: EntityManager, to: string, from: string): Promise<InboundLine | undefined> {
    const [account] = await rawQuery<{ accountId: string }>(
      tx,
      'routing_inbound_line_lock_v3',
      `SELECT account_id AS "accountId" FROM accounts WHERE msisdn = $1 ORDER BY opened_at DESC NULLS LAST, account_id LIMIT 1 FOR KEY SHARE`,
      [to],
    );
    if (!account) return undefined;
    const [row] = await rawQuery<LineRow>(tx, 'routing_inbound_line_v2', lineSql, [account.accountId, from]);
    if (!row) return undefined;
    const { awayEnabled, awayUntil, lastEmergencyAt, ...line } = row;
    return {
      ...line,
      awayMode: { enabled: awayEnabled, until: awayUntil?.toISOString() ?? null },
      lastEmergencyAt: lastEmergencyAt?.toISOString() ?? null,
    };
  }

  async recordEmergencyCalls(tx: EntityManager, accountIds: readonly string[], at: Date): Promise<void> {
    await rawQuery(
      tx,
      'routing_record_emergencies_v1',
      `UPDATE accounts SET last_emergency_at = greatest(last_emergency_at, $2) WHERE account_id = ANY($1::text[])`,
      [accountIds, at],
    );
  }
}
