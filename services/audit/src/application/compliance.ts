import type { Envelope } from '@homeline/contracts';
import { hashLeaf } from '@homeline/tlog';
import type { AuditEntry } from '../domain/audit-entry';
import { columnsOf } from '../domain/audit-entry';
import { complianceEntry, type ComplianceAction } from '../domain/compliance-action';
import { ERASED, openPersonalData } from '../domain/personal-data';
import type { AuditStore, AuditTx, Clock, EntryFilter, IdSource, StoredLeaf } from './ports';
import { sealContext, type RecordEntries } from './record-entries';

/** An entry as a compliance query shows it: its index, its columns, the event with personal data opened. */
export interface EntryView {
  readonly index: number;
  readonly eventId: string;
  readonly type: string;
  readonly source: string;
  readonly streamId: string;
  readonly occurredAt: string;
  readonly receivedAt: string;
  readonly correlationId: string;
  readonly accountId: string | null;
  readonly callId: string | null;
  readonly memberId: string | null;
  readonly deviceId: string | null;
  /** The hash of the entry's leaf (RFC 9162, base64): what its inclusion proof proves. */
  readonly leafHash: string;
  readonly envelope: Envelope;
}

export interface EntriesPage {
  readonly entries: EntryView[];
  /** Pass as `cursor` to get the entries after this page; null when this page reached the end. */
  readonly nextCursor: string | null;
}

/** An erasure of an account the log never held anything of: most likely a mistyped id. */
export class UnknownAccount extends Error {
  readonly status = 404;
  readonly code = 'unknown_account';
  constructor(accountId: string) {
    super(`The audit log holds nothing of account ${accountId}: nothing was erased (force: true erases it before its events arrive).`);
  }
}

/**
 * What the compliance team does with the log. Each action is recorded as an entry first, in its
 * own transaction, before any data is returned: a query whose record failed answers nothing.
 */
export class Compliance {
  constructor(
    private readonly store: AuditStore,
    private readonly recorder: RecordEntries,
    private readonly clock: Clock,
    private readonly ids: IdSource,
  ) {}

  async record(action: ComplianceAction, correlationId: string): Promise<void> {
    await this.store.transaction((tx) => this.stage(tx, action, correlationId));
  }

  private stage(tx: AuditTx, action: ComplianceAction, correlationId: string): Promise<unknown> {
    const entry = complianceEntry(action, { id: this.ids.uuid(), now: this.clock.now().toISOString(), correlationId });
    return this.recorder.entries(tx, [entry]);
  }

  /** Pages by index: indexes are assigned in commit order under one lock, so a later page never misses a row. */
  async entries(filter: EntryFilter, limit: number): Promise<EntriesPage> {
    const rows = await this.store.findEntries(filter, limit + 1);
    const page = rows.slice(0, limit);
    return {
      entries: await this.open(page),
      nextCursor: rows.length > limit ? String(page[page.length - 1].index) : null,
    };
  }

  /**
   * Refuses an account the log never held anything of (404 unknown_account), unless `force`: its
   * tombstone then waits for its events, which are recorded "[erased]". Erases twice: a
   * device or call key that a concurrent batch created (and linked to the account) while the first
   * pass ran is committed by the time of the second. The erasure's entry commits with the first
   * pass: no key is destroyed without the log saying so.
   */
  async erase(accountId: string, reason: string, correlationId: string, force = false): Promise<void> {
    // A mistyped id would otherwise be "erased" (and logged so) while the real account stays readable.
    if (!force && !(await this.store.knowsAccount(accountId))) throw new UnknownAccount(accountId);
    await this.store.transaction(async (tx) => {
      await tx.eraseAccount(accountId, reason, this.clock.now());
      await this.stage(tx, { type: 'AuditAccountErased', data: { accountId, reason } }, correlationId);
    });
    await this.store.transaction((tx) => tx.eraseAccount(accountId, reason, this.clock.now()));
  }

  /** Decrypts with the keys that still exist; a value whose key was erased reads "[erased]". */
  private async open(rows: readonly StoredLeaf[]): Promise<EntryView[]> {
    const entries = rows.map((r) => ({ index: r.index, leafHash: hashLeaf(r.leaf).toString('base64'), entry: JSON.parse(r.leaf.toString('utf8')) as AuditEntry }));
    const scopes = [...new Set(entries.map((e) => e.entry.keyScope).filter((s): s is string => s !== null))];
    const keys = await this.store.dataKeys(scopes);
    return entries.map(({ index, leafHash, entry }) => {
      const key = entry.keyScope ? keys.get(entry.keyScope) : undefined;
      const data = openPersonalData(entry.event.data, (path, sealed) => {
        const plain = key?.open(sealContext(entry.event.id, path), sealed.$sealed);
        return plain ? JSON.parse(plain.toString('utf8')) : ERASED;
      }) as Record<string, unknown>;
      const columns = columnsOf(entry);
      const { event } = entry;
      return {
        index, eventId: event.id, type: event.type, source: event.source, streamId: event.streamId, occurredAt: event.occurredAt,
        receivedAt: entry.receivedAt, correlationId: event.correlationId, accountId: columns.accountId, callId: columns.callId,
        memberId: columns.memberId, deviceId: columns.deviceId, leafHash, envelope: { ...event, data },
      };
    });
  }
}
