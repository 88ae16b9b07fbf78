import type { TileAddress } from '@homeline/tlog';
import type { DeviceLink, EntryColumns } from '../domain/audit-entry';

/** Time and ids come from here, never from the domain (docs/style.md). */
export interface Clock {
  now(): Date;
}
export interface IdSource {
  uuid(): string;
}

/** An account's data key, unwrapped: seals and opens values (AES-256-GCM in the edges). */
export interface DataKey {
  seal(context: string, plaintext: Buffer): string;
  /** undefined when the value does not open under this key and context. */
  open(context: string, sealed: string): Buffer | undefined;
}

/** A leaf waiting to be sequenced, with the columns queries filter on. */
export interface StagedEntry {
  readonly leaf: Buffer;
  readonly columns: EntryColumns;
  readonly receivedAt: string;
}

export interface TreeHead {
  readonly size: number;
  readonly rootHash: Buffer;
  /** The compact range of the tree: roots of its perfect subtrees, largest first. */
  readonly edge: readonly Buffer[];
}

export interface StoredCheckpoint {
  readonly size: number;
  readonly rootHash: Buffer;
  readonly note: string;
}

/** The writes of one transaction. */
export interface AuditTx {
  /** Runs `hook` once the transaction has committed (never if it rolls back). */
  afterCommit(hook: () => void): void;
  /** The account each scope (`device:<id>`, `call:<id>`) was seen linked to. */
  linkedAccounts(scopes: readonly string[]): Promise<Map<string, string>>;
  link(links: ReadonlyArray<{ scope: string; accountId: string }>): Promise<void>;
  /**
   * identity linked these devices to these accounts (several links of one device may come
   * together): every link is kept in the history, and a device follows its latest, unless a later
   * one is known (a device moved between households is read in either order). Returns where each is now.
   */
  relink(links: readonly DeviceLink[]): Promise<Map<string, string>>;
  /** The account each device scope was linked to at each time, by the links identity made (undefined: none by then). */
  linkedAt(asked: ReadonlyArray<{ scope: string; at: string }>): Promise<(string | undefined)[]>;
  /** The data keys of these scopes; missing ones are created when `create`. null: erased. */
  dataKeys(scopes: readonly string[], create: boolean): Promise<Map<string, DataKey | null>>;
  /** Stages leaves once per event id (a redelivered event stays one entry). Returns how many were new. */
  stage(entries: readonly StagedEntry[]): Promise<number>;
  /** Locks the tree head, or null when another replica is integrating right now. */
  lockHead(): Promise<TreeHead | null>;
  /** Moves up to `limit` staged leaves into the log at indexes size, size+1, ...; returns their leaf hashes in order. */
  sequence(size: number, limit: number): Promise<Buffer[]>;
  tiles(addresses: readonly TileAddress[]): Promise<Map<string, Buffer>>;
  saveTiles(tiles: ReadonlyArray<{ tile: TileAddress; hashes: Buffer }>): Promise<void>;
  /** The checkpoint signed last, read in this transaction. */
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
  saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
  saveHead(head: TreeHead): Promise<void>;
  /** Deletes the account's data keys and those of its linked scopes; leaves a tombstone. */
  eraseAccount(accountId: string, reason: string, at: Date): Promise<number>;
}

/** Filters of GET /v1/audit/entries (docs/architecture.md section 6); values are bound, never interpolated. */
export interface EntryFilter {
  readonly callId?: string;
  readonly accountId?: string;
  readonly memberId?: string;
  readonly deviceId?: string;
  readonly type?: string;
  readonly from?: string;
  readonly to?: string;
  /** Entries with an index above this one. */
  readonly after?: number;
}

export interface StoredLeaf {
  readonly index: number;
  readonly leaf: Buffer;
}

export interface StoredRow extends StoredLeaf {
  readonly columns: EntryColumns;
}

export interface AuditStore {
  transaction<T>(work: (tx: AuditTx) => Promise<T>): Promise<T>;
  /** Whether any entry waits to be sequenced: one cheap read, for the idle poll. */
  hasStaged(): Promise<boolean>;
  head(): Promise<TreeHead>;
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
  tiles(addresses: readonly TileAddress[]): Promise<Map<string, Buffer>>;
  dataKeys(scopes: readonly string[]): Promise<Map<string, DataKey | null>>;
  findEntries(filter: EntryFilter, limit: number): Promise<StoredLeaf[]>;
  /** Whether the log has ever held data of this account: its key (live or erased), or a link to it. */
  knowsAccount(accountId: string): Promise<boolean>;
  /** Leaves in index order over [from, to), a page at a time. */
  leaves(from: number, to: number, page: number): AsyncIterable<StoredLeaf[]>;
  /** Rows with their stored columns, for the self-check. */
  rows(from: number, to: number): Promise<StoredRow[]>;
  /** Checkpoints with a tree size in [fromSize, toSize], oldest first. */
  checkpoints(fromSize: number, toSize: number): Promise<StoredCheckpoint[]>;
  /** The `count` most recent checkpoints. */
  recentCheckpoints(count: number): Promise<StoredCheckpoint[]>;
}

/** Wakes the integrator when something was staged in this process. */
export interface StagedSignal {
  notify(): void;
}
