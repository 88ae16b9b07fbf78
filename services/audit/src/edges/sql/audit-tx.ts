import type { TileAddress } from '@homeline/tlog';
import { tileKey } from '@homeline/tlog';
import type { EntityManager } from 'typeorm';
import type { AuditTx, DataKey, StagedEntry, StoredCheckpoint, TreeHead } from '../../application/ports';
import type { DeviceLink, EntryMentions } from '../../domain/audit-entry';
import type { KeyEncryptionKey } from '../crypto/data-keys';
import { AuditKeyCache } from './key-cache';

/** audit_staged.mentions: null when the entry names no other member or device (most do not). */
export const mentionsJson = (mentions: EntryMentions): string | null =>
  mentions.members.length + mentions.devices.length > 0 ? JSON.stringify(mentions) : null;

export const splitEdge = (edge: Buffer): Buffer[] => Array.from({ length: edge.length / 32 }, (_, i) => edge.subarray(i * 32, (i + 1) * 32));

export const readTiles = async (manager: EntityManager, addresses: readonly TileAddress[]): Promise<Map<string, Buffer>> => {
  if (addresses.length === 0) return new Map();
  const rows: Array<{ level: number; index: string; hashes: Buffer }> = await manager.query(
    `SELECT level, index, hashes FROM audit_tiles WHERE (level, index) IN (SELECT * FROM unnest($1::smallint[], $2::bigint[]))`,
    [addresses.map((a) => a.level), addresses.map((a) => a.index)],
  );
  return new Map(rows.map((r) => [tileKey({ level: r.level, index: Number(r.index) }), r.hashes]));
};

export const readDataKeys = async (manager: EntityManager, kek: KeyEncryptionKey, scopes: readonly string[]): Promise<Map<string, DataKey | null>> => {
  if (scopes.length === 0) return new Map();
  const rows: Array<{ scope: string; wrapped_key: Buffer | null }> = await manager.query(
    `SELECT scope, wrapped_key FROM audit_data_keys WHERE scope = ANY($1::text[])`,
    [scopes],
  );
  return new Map(rows.map((r) => [r.scope, r.wrapped_key ? kek.unwrap(r.scope, r.wrapped_key) : null]));
};

/** The checkpoint signed last. */
export const readLatestCheckpoint = async (manager: EntityManager): Promise<StoredCheckpoint | null> => {
  const rows: Array<{ tree_size: string; root: Buffer; note: string }> = await manager.query(
    `SELECT tree_size, root, note FROM audit_checkpoints ORDER BY id DESC LIMIT 1`);
  return rows.length ? { size: Number(rows[0].tree_size), rootHash: rows[0].root, note: rows[0].note } : null;
};

/** The writes of one transaction, on PostgreSQL, each one statement whatever the batch size. */
export class SqlAuditTx implements AuditTx {
  constructor(
    private readonly manager: EntityManager,
    private readonly kek: KeyEncryptionKey,
    private readonly hooks: Array<() => void> = [],
    private readonly cache: AuditKeyCache = new AuditKeyCache(),
  ) {}

  afterCommit(hook: () => void): void {
    this.hooks.push(hook);
  }

  async linkedAccounts(scopes: readonly string[]): Promise<Map<string, string>> {
    const { known, unknown } = this.cache.linked(scopes);
    if (unknown.length === 0) return known;
    const rows: Array<{ scope: string; account_id: string }> = await this.manager.query(
      `SELECT scope, account_id FROM audit_key_links WHERE scope = ANY($1::text[])`, [unknown]);
    const read = rows.map((r) => [r.scope, r.account_id] as const);
    this.cache.rememberLinks(read);
    for (const [scope, account] of read) known.set(scope, account);
    return known;
  }

  async link(links: ReadonlyArray<{ scope: string; accountId: string }>): Promise<void> {
    if (links.length === 0) return;
    await this.manager.query(
      `INSERT INTO audit_key_links (scope, account_id) SELECT DISTINCT ON (scope) * FROM unnest($1::text[], $2::text[]) AS l(scope, account_id)
       ON CONFLICT (scope) DO NOTHING`,
      [links.map((l) => l.scope), links.map((l) => l.accountId)],
    );
    // Not remembered yet: another replica's link may have won the insert; the next read learns it.
  }

  async relink(links: readonly DeviceLink[]): Promise<Map<string, string>> {
    if (links.length === 0) return new Map();
    const scopes = links.map((l) => l.scope);
    // The latest of a scope's links here: one statement may change a row only once.
    await this.manager.query(
      `INSERT INTO audit_key_links (scope, account_id, linked_at)
       SELECT DISTINCT ON (scope) * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS l(scope, account_id, linked_at) ORDER BY scope, linked_at DESC
       ON CONFLICT (scope) DO UPDATE SET account_id = excluded.account_id, linked_at = excluded.linked_at
       WHERE audit_key_links.linked_at IS NULL OR audit_key_links.linked_at <= excluded.linked_at`,
      [scopes, links.map((l) => l.accountId), links.map((l) => l.occurredAt)],
    );
    await this.manager.query(
      `INSERT INTO audit_link_history (scope, account_id, linked_at) SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
       ON CONFLICT DO NOTHING`,
      [scopes, links.map((l) => l.accountId), links.map((l) => l.occurredAt)],
    );
    const rows: Array<{ scope: string; account_id: string }> = await this.manager.query(
      `SELECT scope, account_id FROM audit_key_links WHERE scope = ANY($1::text[])`, [[...new Set(scopes)]]);
    const now = rows.map((r) => [r.scope, r.account_id] as const);
    this.cache.rememberLinks(now);
    return new Map(now);
  }

  async linkedAt(asked: ReadonlyArray<{ scope: string; at: string }>): Promise<(string | undefined)[]> {
    if (asked.length === 0) return [];
    const rows: Array<{ ord: string; account_id: string }> = await this.manager.query(
      `SELECT asked.ord, h.account_id FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS asked(scope, at, ord)
       JOIN LATERAL (SELECT account_id FROM audit_link_history h WHERE h.scope = asked.scope AND h.linked_at <= asked.at
                     ORDER BY h.linked_at DESC LIMIT 1) h ON true`,
      [asked.map((a) => a.scope), asked.map((a) => a.at)],
    );
    const found: (string | undefined)[] = asked.map(() => undefined);
    for (const row of rows) found[Number(row.ord) - 1] = row.account_id;
    return found;
  }

  async dataKeys(scopes: readonly string[], create: boolean): Promise<Map<string, DataKey | null>> {
    const cached = this.cache.dataKeys(scopes);
    const found = cached.found;
    const read = await readDataKeys(this.manager, this.kek, cached.missing);
    this.cache.rememberKeys(read);
    for (const [scope, key] of read) found.set(scope, key);
    const missing = scopes.filter((s) => !found.has(s));
    if (!create || missing.length === 0) return found;
    // Another replica may create the same key at once: the first insert wins, both read it back.
    await this.manager.query(
      `INSERT INTO audit_data_keys (scope, wrapped_key, kek_id) SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[]) ON CONFLICT (scope) DO NOTHING`,
      [missing, missing.map((s) => this.kek.newWrappedKey(s)), missing.map(() => this.kek.id)],
    );
    const created = await readDataKeys(this.manager, this.kek, missing);
    this.cache.rememberKeys(created);
    for (const [scope, key] of created) found.set(scope, key);
    return found;
  }

  async stage(entries: readonly StagedEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const c = entries.map((e) => e.columns);
    const rows: unknown[] = await this.manager.query(
      `INSERT INTO audit_staged (event_id, leaf, type, source, occurred_at, account_id, call_id, member_id, device_id, received_at, mentions)
       SELECT s.event_id, s.leaf, s.type, s.source, s.occurred_at, s.account_id, s.call_id, s.member_id, s.device_id, s.received_at, s.mentions
       FROM unnest($1::uuid[], $2::bytea[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[], $11::jsonb[])
         WITH ORDINALITY AS s(event_id, leaf, type, source, occurred_at, account_id, call_id, member_id, device_id, received_at, mentions, ord)
       WHERE s.event_id <> ALL (ARRAY(SELECT event_id FROM audit_log_entries WHERE event_id = ANY($1::uuid[])))
       ORDER BY s.ord -- staged_id, and so the index, follows the batch's (per-partition Kafka) order
       ON CONFLICT (event_id) DO NOTHING RETURNING staged_id`,
      [c.map((x) => x.eventId), entries.map((e) => e.leaf), c.map((x) => x.type), c.map((x) => x.source), c.map((x) => x.occurredAt),
        c.map((x) => x.accountId), c.map((x) => x.callId), c.map((x) => x.memberId), c.map((x) => x.deviceId), entries.map((e) => e.receivedAt),
        c.map((x) => mentionsJson(x.mentions))],
    );
    return rows.length;
  }

  async lockHead(): Promise<TreeHead | null> {
    const rows: Array<{ size: string; root: Buffer; edge: Buffer }> = await this.manager.query(
      `SELECT size, root, edge FROM audit_tree_head WHERE id = 0 FOR UPDATE SKIP LOCKED`);
    return rows.length ? { size: Number(rows[0].size), rootHash: rows[0].root, edge: splitEdge(rows[0].edge) } : null;
  }

  /**
   * One statement: take the oldest staged leaves, drop any whose event is already in the log (a
   * redelivery staged after its first copy was sequenced), number the rest from `size`, insert
   * them, and return SHA-256(0x00 || leaf) of each in index order. Every lookup goes through an
   * index with an array of keys (`= ANY (ARRAY(...))`), never a join the planner could turn into a
   * scan of the whole log or of the staging backlog: its cost stays the batch's, however long the
   * log grows.
   */
  async sequence(size: number, limit: number): Promise<Buffer[]> {
    const rows: Array<{ leaf_hash: Buffer }> = await this.manager.query(
      `WITH taken AS (
         DELETE FROM audit_staged WHERE staged_id = ANY (ARRAY(SELECT staged_id FROM audit_staged ORDER BY staged_id LIMIT $2))
         RETURNING *
       ), known AS (
         SELECT ARRAY(SELECT event_id FROM audit_log_entries WHERE event_id = ANY (ARRAY(SELECT event_id FROM taken))) AS ids
       ), fresh AS (
         SELECT t.*, $1::bigint + row_number() OVER (ORDER BY t.staged_id) - 1 AS idx FROM taken t, known
         WHERE t.event_id <> ALL (known.ids)
       ), inserted AS (
         INSERT INTO audit_log_entries (index, event_id, leaf, type, source, occurred_at, account_id, call_id, member_id, device_id, received_at)
         SELECT idx, event_id, leaf, type, source, occurred_at, account_id, call_id, member_id, device_id, received_at FROM fresh
         RETURNING index, sha256('\\x00'::bytea || leaf) AS leaf_hash
       ), mentioned AS (
         INSERT INTO audit_entry_mentions (index, kind, subject)
         SELECT f.idx, m.kind, m.subject FROM fresh f,
           LATERAL (SELECT 'member' AS kind, jsonb_array_elements_text(f.mentions -> 'members') AS subject
                    UNION ALL SELECT 'device', jsonb_array_elements_text(f.mentions -> 'devices')) m
         WHERE f.mentions IS NOT NULL
       )
       SELECT leaf_hash FROM inserted ORDER BY index`,
      [size, limit],
    );
    return rows.map((r) => r.leaf_hash);
  }

  tiles(addresses: readonly TileAddress[]): Promise<Map<string, Buffer>> {
    return readTiles(this.manager, addresses);
  }

  async saveTiles(tiles: ReadonlyArray<{ tile: TileAddress; hashes: Buffer }>): Promise<void> {
    if (tiles.length === 0) return;
    await this.manager.query(
      `INSERT INTO audit_tiles (level, index, hashes) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])
       ON CONFLICT (level, index) DO UPDATE SET hashes = EXCLUDED.hashes`,
      [tiles.map((t) => t.tile.level), tiles.map((t) => t.tile.index), tiles.map((t) => t.hashes)],
    );
  }

  latestCheckpoint(): Promise<StoredCheckpoint | null> {
    return readLatestCheckpoint(this.manager);
  }

  async saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    await this.manager.query(`INSERT INTO audit_checkpoints (tree_size, root, note) VALUES ($1, $2, $3)`, [checkpoint.size, checkpoint.rootHash, checkpoint.note]);
  }

  async saveHead(head: TreeHead): Promise<void> {
    await this.manager.query(`UPDATE audit_tree_head SET size = $1, root = $2, edge = $3 WHERE id = 0`, [head.size, head.rootHash, Buffer.concat([...head.edge])]);
  }

  async eraseAccount(accountId: string, reason: string, at: Date): Promise<number> {
    const scope = `account:${accountId}`;
    this.cache.forgetKeys();
    const erased: unknown[] = await this.manager.query(
      `UPDATE audit_data_keys SET wrapped_key = NULL, kek_id = NULL, erased_at = $2
       WHERE wrapped_key IS NOT NULL AND (scope = $1 OR scope IN (SELECT scope FROM audit_key_links WHERE account_id = $3)) RETURNING scope`,
      [scope, at, accountId],
    );
    // A tombstone: events of this account that arrive later are recorded as "[erased]", never under a
    // new key. An upsert, so a key another transaction is creating right now is erased once it commits.
    await this.manager.query(
      `INSERT INTO audit_data_keys (scope, wrapped_key, kek_id, erased_at) VALUES ($1, NULL, NULL, $2)
       ON CONFLICT (scope) DO UPDATE SET wrapped_key = NULL, kek_id = NULL, erased_at = COALESCE(audit_data_keys.erased_at, EXCLUDED.erased_at)`, [scope, at]);
    await this.manager.query(
      `INSERT INTO audit_erasures (account_id, reason, erased_at) VALUES ($1, $2, $3) ON CONFLICT (account_id) DO NOTHING`, [accountId, reason, at]);
    return erased.length;
  }
}
