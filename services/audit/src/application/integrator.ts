import { CompactRange, TileGrowth, openCheckpoint, signCheckpoint, tileKey, type NoteSigner, type TileAddress } from '@homeline/tlog';
import type { AuditStore, AuditTx, TreeHead } from './ports';

export interface IntegratorOptions {
  readonly origin: string;
  readonly signer: NoteSigner;
  /** Most leaves sequenced in one transaction. */
  readonly batchMax: number;
}

/**
 * Sequences staged leaves into the tree and signs a checkpoint, one transaction per batch.
 * Replicas take turns through the tree head's row lock (SKIP LOCKED: a replica that finds it
 * taken leaves the batch to the holder), so indexes are assigned by one writer at a time and run
 * 0, 1, 2, ... without gaps; an entry's index, its tiles and the checkpoint that covers it commit
 * together. Leaves are hashed by PostgreSQL where they are stored; only hashes come back here.
 */
export class Integrator {
  constructor(private readonly store: AuditStore, private readonly options: IntegratorOptions) {}

  /** Whether entries wait to be sequenced (by any replica): the idle poll asks before it opens a transaction. */
  hasStaged(): Promise<boolean> {
    return this.store.hasStaged();
  }

  /**
   * Integrates one batch; returns how many entries it added and the tree's size after it (added 0:
   * nothing staged, or another replica holds the head, whose size is then unknown here).
   */
  integrateOnce(): Promise<{ readonly added: number; readonly size: number | null }> {
    return this.store.transaction(async (tx) => {
      const head = await tx.lockHead();
      if (!head) return { added: 0, size: null };
      const leafHashes = await tx.sequence(head.size, this.options.batchMax);
      if (leafHashes.length > 0) await this.extend(tx, head, leafHashes);
      return { added: leafHashes.length, size: head.size + leafHashes.length };
    });
  }

  /**
   * Signs a checkpoint of the current head when the latest one is missing (a new log signs its
   * empty tree) or not signed by the configured key (the key was rotated): GET /checkpoint then
   * serves one that verifies under the key verifiers now pin.
   */
  async signInitial(): Promise<void> {
    const latest = await this.store.latestCheckpoint();
    if (latest && signedByCurrentKey(latest.note, this.options)) return;
    await this.store.transaction(async (tx) => {
      const head = await tx.lockHead();
      if (head) await this.extend(tx, head, []);
    });
  }

  private async extend(tx: AuditTx, head: TreeHead, leafHashes: readonly Buffer[]): Promise<void> {
    const range = new CompactRange(head.size, head.edge);
    const growth = new TileGrowth();
    for (const hash of leafHashes) range.append(hash, growth.visit);
    const grown = [...growth.tiles.values()];
    const stored = await tx.tiles(grown.map((g) => g.tile));
    await tx.saveTiles(grown.map(({ tile, slots }) => ({ tile, hashes: extendTile(tile, stored.get(tileKey(tile)), slots) })));
    const rootHash = range.root();
    const note = signCheckpoint({ origin: this.options.origin, size: range.size, rootHash }, this.options.signer);
    await tx.saveCheckpoint({ size: range.size, rootHash, note });
    await tx.saveHead({ size: range.size, rootHash, edge: range.hashes });
  }
}

const signedByCurrentKey = (note: string, options: IntegratorOptions): boolean => {
  try {
    openCheckpoint(note, options.signer.verifier, options.origin);
    return true;
  } catch {
    return false;
  }
};

/** A tile only grows at its end; anything else means the stored tree and the head disagree. */
const extendTile = (tile: TileAddress, stored: Buffer | undefined, slots: Map<number, Buffer>): Buffer => {
  const have = (stored?.length ?? 0) / 32;
  const added = [...slots.keys()].sort((a, b) => a - b);
  added.forEach((slot, n) => {
    if (slot !== have + n) throw new Error(`tile ${tileKey(tile)} has ${have} hashes; cannot write slot ${slot}`);
  });
  return Buffer.concat([stored ?? Buffer.alloc(0), ...added.map((slot) => slots.get(slot) as Buffer)]);
};
