import type { TileAddress } from '@homeline/tlog';
import type { DataSource } from 'typeorm';
import type { AuditStore, AuditTx, DataKey, EntryFilter, StoredCheckpoint, StoredLeaf, StoredRow, TreeHead } from '../../application/ports';
import type { KeyEncryptionKey } from '../crypto/data-keys';
import { readDataKeys, readLatestCheckpoint, readTiles, splitEdge, SqlAuditTx } from './audit-tx';
import { AuditKeyCache } from './key-cache';

const FILTER_COLUMNS = { callId: 'call_id', type: 'type' } as const;
/** A member or device is found among the entry's mentions (EntryMentions), its own memberId and deviceId included. */
const SUBJECT_KINDS = { memberId: 'member', deviceId: 'device' } as const;

/**
 * The page of entries a filter selects, from the index `after`, at most `limit`; every value is a
 * bound parameter. A member or device is a join on its mentions: ordered by (kind, subject, index),
 * a page of a member's history is read from that index and stops at its limit, however long the history.
 *
 * An account's entries are those recorded under it, and those of its calls recorded before the
 * audit knew the account: a call's first event (calls' CallRequested names no account) read before
 * its speaker's DeviceLinked — identity's partition held by another replica, or lagging — is sealed
 * under the device's own key and has no account of its own. Its call's link to the account, learnt
 * from the call's later events, never changes: the call's entries without an account are the
 * account's. Each arm is filtered, ordered and limited on its own, so the first arm reads a page of
 * (account_id, index) however long the account's history (one ORDER BY over the two arms' union
 * sorted the whole history: 300 ms a page for 400,000 entries); the second walks the log's few
 * call entries without an account from the cursor (a partial index, AuditUnfiledCalls) and keeps
 * those of the account's calls, however many calls the account has (joining its 20,000 calls'
 * links to the log took 10-70 ms a page; this, under 2 ms).
 */
export const entryQuery = (filter: EntryFilter, limit: number): { sql: string; params: unknown[] } => {
  const clauses: string[] = [];
  const joins: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => clauses.push(sql.replace('?', `$${params.push(value)}`));
  for (const [key, kind] of Object.entries(SUBJECT_KINDS)) {
    const value = filter[key as keyof typeof SUBJECT_KINDS];
    if (value !== undefined) {
      joins.push(`JOIN audit_entry_mentions m_${kind} ON m_${kind}.index = e.index AND m_${kind}.kind = '${kind}' AND m_${kind}.subject = $${params.push(value)}`);
    }
  }
  for (const [key, column] of Object.entries(FILTER_COLUMNS)) {
    const value = filter[key as keyof typeof FILTER_COLUMNS];
    if (value !== undefined) add(`e.${column} = ?`, value);
  }
  if (filter.from) add('e.occurred_at >= ?', filter.from);
  if (filter.to) add('e.occurred_at < ?', filter.to);
  if (filter.after !== undefined) add('e.index > ?', filter.after);
  const page = `ORDER BY e.index LIMIT $${params.push(limit)}`;
  const select = (from: string, own: string[]) =>
    [`SELECT e.index, e.leaf FROM ${from}`, ...joins, own.length + clauses.length ? `WHERE ${[...own, ...clauses].join(' AND ')}` : '', page].filter(Boolean).join(' ');
  if (filter.accountId === undefined) return { sql: select('audit_log_entries e', []), params };
  const account = `$${params.push(filter.accountId)}`;
  const filed = select('audit_log_entries e', [`e.account_id = ${account}`]);
  const unfiled = select('audit_log_entries e', [
    'e.account_id IS NULL', 'e.call_id IS NOT NULL',
    `EXISTS (SELECT 1 FROM audit_key_links l WHERE l.scope = 'call:' || e.call_id AND l.account_id = ${account})`,
  ]);
  return { sql: `SELECT index, leaf FROM ((${filed}) UNION ALL (${unfiled})) e ${page}`, params };
};

export class SqlAuditStore implements AuditStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly kek: KeyEncryptionKey,
    private readonly keyCache: AuditKeyCache = new AuditKeyCache(),
  ) {}

  async transaction<T>(work: (tx: AuditTx) => Promise<T>): Promise<T> {
    const hooks: Array<() => void> = [];
    const result = await this.dataSource.transaction((manager) => work(new SqlAuditTx(manager, this.kek, hooks, this.keyCache)));
    for (const hook of hooks) hook();
    return result;
  }

  async knowsAccount(accountId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM audit_data_keys WHERE scope = $1 UNION ALL SELECT 1 FROM audit_key_links WHERE account_id = $2 LIMIT 1`,
      [`account:${accountId}`, accountId],
    );
    return rows.length > 0;
  }

  async hasStaged(): Promise<boolean> {
    // The lowest key, read by the primary key: after a burst the table is full of rows integrated
    // (deleted) and not yet vacuumed, and `EXISTS (SELECT 1 FROM audit_staged)` scanned through them
    // all (4 s after a million, measured; PostgreSQL drops an ORDER BY inside EXISTS).
    const rows: unknown[] = await this.dataSource.query(`SELECT staged_id FROM audit_staged ORDER BY staged_id LIMIT 1`);
    return rows.length > 0;
  }

  async head(): Promise<TreeHead> {
    const [row]: Array<{ size: string; root: Buffer; edge: Buffer }> = await this.dataSource.query(`SELECT size, root, edge FROM audit_tree_head WHERE id = 0`);
    return { size: Number(row.size), rootHash: row.root, edge: splitEdge(row.edge) };
  }

  latestCheckpoint(): Promise<StoredCheckpoint | null> {
    return readLatestCheckpoint(this.dataSource.manager);
  }

  async checkpoints(fromSize: number, toSize: number): Promise<StoredCheckpoint[]> {
    const rows: Array<{ tree_size: string; root: Buffer; note: string }> = await this.dataSource.query(
      `SELECT tree_size, root, note FROM audit_checkpoints WHERE tree_size BETWEEN $1 AND $2 ORDER BY id`, [fromSize, toSize]);
    return rows.map((r) => ({ size: Number(r.tree_size), rootHash: r.root, note: r.note }));
  }

  async recentCheckpoints(count: number): Promise<StoredCheckpoint[]> {
    const rows: Array<{ tree_size: string; root: Buffer; note: string }> = await this.dataSource.query(
      `SELECT tree_size, root, note FROM audit_checkpoints ORDER BY id DESC LIMIT $1`, [count]);
    return rows.map((r) => ({ size: Number(r.tree_size), rootHash: r.root, note: r.note }));
  }

  tiles(addresses: readonly TileAddress[]): Promise<Map<string, Buffer>> {
    return readTiles(this.dataSource.manager, addresses);
  }

  dataKeys(scopes: readonly string[]): Promise<Map<string, DataKey | null>> {
    return readDataKeys(this.dataSource.manager, this.kek, scopes);
  }

  async findEntries(filter: EntryFilter, limit: number): Promise<StoredLeaf[]> {
    const { sql, params } = entryQuery(filter, limit);
    const rows: Array<{ index: string; leaf: Buffer }> = await this.dataSource.query(sql, params);
    return rows.map((r) => ({ index: Number(r.index), leaf: r.leaf }));
  }

  async *leaves(from: number, to: number, page: number): AsyncIterable<StoredLeaf[]> {
    for (let at = from; at < to; at += page) {
      const rows: Array<{ index: string; leaf: Buffer }> = await this.dataSource.query(
        `SELECT index, leaf FROM audit_log_entries WHERE index >= $1 AND index < $2 ORDER BY index`, [at, Math.min(to, at + page)]);
      yield rows.map((r) => ({ index: Number(r.index), leaf: r.leaf }));
    }
  }

  async rows(from: number, to: number): Promise<StoredRow[]> {
    const rows: Array<{ index: string; leaf: Buffer; event_id: string; type: string; source: string; occurred_at: Date; account_id: string | null; call_id: string | null; member_id: string | null; device_id: string | null; members: string[]; devices: string[] }> =
      await this.dataSource.query(
        `SELECT e.index, e.leaf, e.event_id, e.type, e.source, e.occurred_at, e.account_id, e.call_id, e.member_id, e.device_id,
           ARRAY(SELECT subject FROM audit_entry_mentions m WHERE m.index = e.index AND m.kind = 'member' ORDER BY subject) AS members,
           ARRAY(SELECT subject FROM audit_entry_mentions m WHERE m.index = e.index AND m.kind = 'device' ORDER BY subject) AS devices
         FROM audit_log_entries e WHERE e.index >= $1 AND e.index < $2 ORDER BY e.index`, [from, to]);
    return rows.map((r) => ({
      index: Number(r.index),
      leaf: r.leaf,
      columns: {
        eventId: r.event_id, type: r.type, source: r.source, occurredAt: r.occurred_at.toISOString(), accountId: r.account_id, callId: r.call_id,
        memberId: r.member_id, deviceId: r.device_id, mentions: { members: r.members, devices: r.devices },
      },
    }));
  }
}
