import { CompactRange, TILE_WIDTH, hashLeaf, locateNode, openCheckpoint, parseCheckpointText, tileHash, tileKey, type NoteVerifier, type TileAddress } from '@homeline/tlog';
import { columnsOf, type AuditEntry, type EntryColumns } from '../domain/audit-entry';
import type { AuditStore, Clock } from './ports';

export interface SelfCheckReport {
  readonly ok: boolean;
  readonly checkedAt: string;
  readonly treeSize: number;
  readonly checkpoints: number;
  /** The first index whose row does not agree with the tree, its checkpoints or its own leaf. */
  readonly firstBadIndex: number | null;
  readonly problems: string[];
}

const PAGE = 4096;
const MAX_PROBLEMS = 20;
const SIGNATURES_CHECKED = 1000;

/** No signature line of the note names the key (name and key id). */
const signedByOtherKey = (note: string, verifier: NoteVerifier): boolean =>
  !note.split('\n').some((line) => line.startsWith(`\u2014 ${verifier.name} `) && Buffer.from(line.split(' ')[2] ?? '', 'base64').subarray(0, 4).equals(verifier.keyId));

const sameIds = (a: readonly string[], b: readonly string[]): boolean => {
  const [x, y] = [[...a].sort(), [...b].sort()];
  return x.length === y.length && x.every((id, i) => id === y[i]);
};

const sameColumns = (a: EntryColumns, b: EntryColumns): boolean =>
  a.eventId === b.eventId && a.type === b.type && a.source === b.source && Date.parse(a.occurredAt) === Date.parse(b.occurredAt) &&
  a.accountId === b.accountId && a.callId === b.callId && a.memberId === b.memberId && a.deviceId === b.deviceId &&
  sameIds(a.mentions.members, b.mentions.members) && sameIds(a.mentions.devices, b.mentions.devices);

/**
 * The service's own consistency check: rebuilds the tree from the stored leaves and compares it
 * with every stored tile hash, the root of every checkpoint (and the signatures of the latest
 * 1,000, with the configured key or an earlier one) and the tree head; also re-derives each row's query columns from its leaf. A row changed behind
 * the service's back (a superuser with the trigger disabled) fails here with its index.
 */
export class SelfCheck {
  /** `verifiers`: the signing key's first, then those of earlier signing keys. */
  constructor(private readonly store: AuditStore, private readonly verifiers: readonly NoteVerifier[], private readonly origin: string, private readonly clock: Clock) {}

  async run(): Promise<SelfCheckReport> {
    const head = await this.store.head();
    // Read after the head: a batch that commits in between makes it larger, never smaller.
    const latest = await this.store.latestCheckpoint();
    const problems: string[] = [];
    let firstBad: number | null = null;
    /** The first entry under a stored tree node that differs: the entry itself is somewhere in that node's range. */
    let firstUnderBadNode: number | null = null;
    let checkpoints = 0;
    const problem = (index: number | null, text: string, exact = true) => {
      if (index !== null && exact && (firstBad === null || index < firstBad)) firstBad = index;
      if (index !== null && !exact && (firstUnderBadNode === null || index < firstUnderBadNode)) firstUnderBadNode = index;
      if (problems.length < MAX_PROBLEMS) problems.push(index === null ? text : `entry ${index}: ${text}`);
    };
    // Signatures: the most recent checkpoints (each costs an Ed25519 verification); roots: all of them, below.
    // Each must verify under the signing key or an earlier one (AUDIT_PREVIOUS_VERIFIER_KEYS): a note
    // whose signature line was swapped for one naming an unknown key is a problem, not "signed before
    // a rotation" — else a rewritten leaf, tiles and notes would pass with their signatures replaced.
    for (const c of await this.store.recentCheckpoints(SIGNATURES_CHECKED)) {
      const signer = this.verifiers.find((verifier) => !signedByOtherKey(c.note, verifier));
      if (!signer) {
        problem(null, `checkpoint of size ${c.size}: signed by no key the audit knows (its signing key, AUDIT_PREVIOUS_VERIFIER_KEYS)`);
        continue;
      }
      try {
        openCheckpoint(c.note, signer, this.origin);
      } catch (error) {
        problem(null, `checkpoint of size ${c.size}: ${(error as Error).message}`);
      }
    }
    const bySize = new Map<number, Buffer[]>();
    /** The checkpoints of tree sizes [from, to]: each note's body must say what its row says. */
    const loadCheckpoints = async (from: number, to: number) => {
      bySize.clear();
      for (const c of await this.store.checkpoints(from, to)) {
        checkpoints++;
        try {
          const body = parseCheckpointText(c.note.slice(0, c.note.lastIndexOf('\n\n') + 1));
          if (body.size !== c.size || !body.rootHash.equals(c.rootHash) || body.origin !== this.origin) problem(null, `checkpoint of size ${c.size} differs from its signed note`);
        } catch (error) {
          problem(null, `checkpoint of size ${c.size}: ${(error as Error).message}`);
        }
        bySize.set(c.size, [...(bySize.get(c.size) ?? []), c.rootHash]);
      }
    };
    const range = new CompactRange();
    const tiles = new Map<string, Buffer>();
    const compareRoots = () => {
      for (const root of bySize.get(range.size) ?? []) {
        if (!root.equals(range.root())) problem(Math.max(0, range.size - 1), `the tree rebuilt from the leaves differs from the signed checkpoint of size ${range.size}`);
      }
    };
    await loadCheckpoints(0, 0);
    compareRoots();
    for (let from = 0; from < head.size; from += PAGE) {
      const to = Math.min(head.size, from + PAGE);
      const rows = await this.store.rows(from, to);
      await this.loadTiles(tiles, from, to);
      await loadCheckpoints(from + 1, to);
      for (const row of rows) {
        if (row.index !== range.size) {
          problem(range.size, `missing (next stored index is ${row.index})`);
          break;
        }
        try {
          if (!sameColumns(columnsOf(JSON.parse(row.leaf.toString('utf8')) as AuditEntry), row.columns)) problem(row.index, 'its query columns differ from its leaf');
        } catch {
          problem(row.index, 'its leaf is not JSON');
        }
        range.append(hashLeaf(row.leaf), (level, index, hash) => {
          const at = locateNode({ level, index });
          if (level % 8 !== 0) return;
          const tile = tiles.get(tileKey(at.tile));
          if (!tile || tile.length < (at.offset + 1) * 32 || !tileHash(tile, at.offset).equals(hash)) {
            // A changed leaf also changes every stored node above it, whose range starts before it: only
            // the leaf names the entry; a node alone (its tile changed, not the leaves) names its range.
            if (level === 0) problem(index, 'its leaf hash differs from the stored tree');
            else problem(index * 2 ** level, `stored tree node ${level}/${index} (entries from ${index * 2 ** level}) differs`, false);
          }
        });
        compareRoots();
      }
      if (rows.length === 0) break;
    }
    if (head.size > 0 && !latest) problem(null, `the tree holds ${head.size} entries and no checkpoint: its checkpoints were deleted`);
    else if (latest && (latest.size < head.size || (latest.size === head.size && !latest.rootHash.equals(head.rootHash)))) {
      problem(null, `the tree head (size ${head.size}) is not the tree of the latest checkpoint (size ${latest.size})`);
    }
    if (range.size !== head.size) problem(range.size, `the log holds ${range.size} rows below the tree size ${head.size}`);
    else if (!range.root().equals(head.rootHash)) problem(null, 'the tree head root differs from the tree rebuilt from the leaves');
    return { ok: problems.length === 0, checkedAt: this.clock.now().toISOString(), treeSize: head.size, checkpoints, firstBadIndex: firstBad ?? firstUnderBadNode, problems };
  }

  /** The tiles a page of leaves touches, at every tile level. */
  private async loadTiles(tiles: Map<string, Buffer>, from: number, to: number): Promise<void> {
    // Leaf tiles behind this page are done with: memory stays one page's worth, whatever the log's size.
    for (const key of tiles.keys()) if (key.startsWith('0/') && Number(key.slice(2)) < Math.floor(from / TILE_WIDTH)) tiles.delete(key);
    const wanted: TileAddress[] = [];
    for (let level = 0, width = 1; width <= to; level++, width *= TILE_WIDTH) {
      for (let index = Math.floor(from / width / TILE_WIDTH); index <= Math.floor((to - 1) / width / TILE_WIDTH); index++) {
        if (!tiles.has(tileKey({ level, index }))) wanted.push({ level, index });
      }
    }
    for (const [key, tile] of await this.store.tiles(wanted)) tiles.set(key, tile);
  }
}
