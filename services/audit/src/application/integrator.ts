import {
  CompactRange, TileGrowth, openCheckpoint, signCheckpoint, tileKey, verifyConsistency, type Checkpoint, type NoteSigner, type NoteVerifier, type TileAddress,
} from '@homeline/tlog';
import { LogIntegrityError } from './log-integrity';
import type { AuditStore, AuditTx, TreeHead } from './ports';

export interface IntegratorOptions {
  readonly origin: string;
  readonly signer: NoteSigner;
  /** The keys of earlier signers (AUDIT_PREVIOUS_VERIFIER_KEYS): a checkpoint signed before a rotation still vouches for its tree. */
  readonly previousVerifiers?: readonly NoteVerifier[];
  /** Most leaves sequenced in one transaction. */
  readonly batchMax: number;
  /** A consistency proof between two sizes of the stored tree (Proofs.consistency). */
  readonly prove: (from: number, to: number) => Promise<Buffer[]>;
}

/**
 * Sequences staged leaves into the tree and signs a checkpoint, one transaction per batch.
 * Replicas take turns through the tree head's row lock (SKIP LOCKED: a replica that finds it
 * taken leaves the batch to the holder), so indexes are assigned by one writer at a time and run
 * 0, 1, 2, ... without gaps; an entry's index, its tiles and the checkpoint that covers it commit
 * together. Leaves are hashed by PostgreSQL where they are stored; only hashes come back here.
 */
export class Integrator {
  /** The tree this replica last signed, or found signed: the head must be it, or a signed tree that extends it. */
  private vouched: Checkpoint | null = null;

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
      await this.vouch(tx, head);
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
    if (latest && this.opened(latest.note)?.current) return;
    await this.store.transaction(async (tx) => {
      const head = await tx.lockHead();
      if (!head) return;
      await this.vouch(tx, head);
      await this.extend(tx, head, []);
    });
  }

  /**
   * Signs nothing over a tree the log did not sign. A database superuser can rewrite a leaf, its
   * tiles and the head, and delete checkpoints: signing whatever head is stored would put the
   * log's key under the rewritten history, and every proof would then verify. So the head must be
   * the tree this replica last signed or found signed (its root made by its own edge), or the tree
   * of the latest stored checkpoint, verified under the log's key or an earlier one; and once this
   * replica has signed or found one, the head must extend that tree (a consistency proof from the
   * stored tiles), so a cut back to an older signed tree, and a fork grown on it, are refused by
   * every replica that saw a later one. What is left to an attacker is such a cut made while no
   * replica runs; a checkpoint kept outside the database shows it (docs/architecture.md section 7).
   */
  private async vouch(tx: AuditTx, head: TreeHead): Promise<void> {
    if (!new CompactRange(head.size, head.edge).root().equals(head.rootHash)) throw new LogIntegrityError(`the tree head's root is not the one its edge makes (size ${head.size})`);
    const known = this.vouched;
    if (known && known.size === head.size && known.rootHash.equals(head.rootHash)) return;
    if (known && head.size < known.size) throw new LogIntegrityError(`the tree head holds ${head.size} entries; this replica signed a tree of ${known.size}`);
    if (known && known.size > 0) await this.extending(known, head);
    const latest = await tx.latestCheckpoint();
    if (!latest) {
      if (head.size === 0) return;
      throw new LogIntegrityError(`the tree holds ${head.size} entries and no checkpoint: its checkpoints were deleted`);
    }
    const signed = this.opened(latest.note)?.checkpoint;
    if (!signed) throw new LogIntegrityError(`the latest checkpoint (size ${latest.size}) is signed by no key the audit knows`);
    if (signed.size !== head.size || !signed.rootHash.equals(head.rootHash)) {
      throw new LogIntegrityError(`the tree head (size ${head.size}) is not the tree of the latest signed checkpoint (size ${signed.size})`);
    }
    this.vouched = signed;
  }

  private async extending(known: Checkpoint, head: TreeHead): Promise<void> {
    try {
      verifyConsistency(known.size, head.size, await this.options.prove(known.size, head.size), known.rootHash, head.rootHash);
    } catch (error) {
      throw new LogIntegrityError(`the tree head (size ${head.size}) does not extend the tree of ${known.size} this replica signed or found signed: ${(error as Error).message}`);
    }
  }

  /** The checkpoint a note signs, and whether the current key signed it; undefined when no key the audit knows did. */
  private opened(note: string): { readonly checkpoint: Checkpoint; readonly current: boolean } | undefined {
    const verifiers = [this.options.signer.verifier, ...(this.options.previousVerifiers ?? [])];
    for (const [i, verifier] of verifiers.entries()) {
      try {
        return { checkpoint: openCheckpoint(note, verifier, this.options.origin), current: i === 0 };
      } catch {
        // another key's, or none
      }
    }
    return undefined;
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
    tx.afterCommit(() => (this.vouched = { origin: this.options.origin, size: range.size, rootHash }));
  }
}

/** A tile only grows at its end; anything else means the stored tree and the head disagree. */
const extendTile = (tile: TileAddress, stored: Buffer | undefined, slots: Map<number, Buffer>): Buffer => {
  const have = (stored?.length ?? 0) / 32;
  const added = [...slots.keys()].sort((a, b) => a - b);
  added.forEach((slot, n) => {
    if (slot !== have + n) throw new Error(`tile ${tileKey(tile)} has ${have} hashes; cannot write slot ${slot}`);
  });
  return Buffer.concat([stored ?? Buffer.alloc(0), ...added.map((slot) => slots.get(slot) as Buffer)]);
};
