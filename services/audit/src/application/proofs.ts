import { buildProof, consistencyPlan, hashChildren, hashLeaf, inclusionPlan, locateNode, nodeFromTile, tileKey, HASH_SIZE, TILE_WIDTH, type NodeId, type ProofPlan, type TileAddress } from '@homeline/tlog';
import { LogIntegrityError } from './log-integrity';
import type { AuditStore } from './ports';

export class ProofError extends Error {
  readonly status = 400;
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface InclusionProof {
  readonly index: number;
  readonly treeSize: number;
  readonly leafHash: Buffer;
  readonly hashes: Buffer[];
}

/**
 * Builds proofs from the stored tiles: the plan names O(log n) perfect nodes, which live in at most
 * a few tiles per tile level, read in one query. A tile only ever grows at its end and a stored
 * hash never changes, so any copy of a tile that already holds the hashes a proof needs is as good
 * as a fresh one: tiles are cached (least recently used first out) and re-read only when a proof
 * needs hashes the cached copy does not have yet.
 */
export class Proofs {
  private readonly cache = new Map<string, Buffer>();
  /** Every level inside a full tile (256, 128, ..., 1 hashes), computed once: a warm proof hashes almost nothing. */
  private readonly inner = new Map<string, Buffer[][]>();
  private knownSize = 0;

  /** 8,192 tiles (64 MiB, twice that with their inner levels) hold every tile of a two-million-entry log. */
  constructor(private readonly store: AuditStore, private readonly cacheTiles = 8192) {}

  async inclusion(index: number, treeSize: number): Promise<InclusionProof> {
    await this.checkSize(treeSize);
    if (index >= treeSize) throw new ProofError('index_out_of_range', `index ${index} is not below the tree size ${treeSize}`);
    const plan = inclusionPlan(index, treeSize);
    const leafNode = { level: 0, index };
    const [hashes, leafHash] = await Promise.all([this.nodeHashes([...plan.nodes, leafNode]), this.storedLeafHash(index)]);
    // The proof is of the row a query shows, not of the tree's copy of its hash: a row changed
    // behind the service's back would otherwise be "proven" by the hash it no longer has.
    if (!leafHash.equals(hashes(leafNode))) throw new LogIntegrityError(`entry ${index} is not the leaf the signed tree holds: the log was altered`);
    return { index, treeSize, leafHash, hashes: buildProof(plan, hashes) };
  }

  private async storedLeafHash(index: number): Promise<Buffer> {
    for await (const [row] of this.store.leaves(index, index + 1, 1)) if (row) return hashLeaf(row.leaf);
    throw new LogIntegrityError(`entry ${index} is in the tree but not in the log`);
  }

  async consistency(from: number, to: number): Promise<Buffer[]> {
    if (from > to) throw new ProofError('invalid_range', `from (${from}) is larger than to (${to})`);
    if (from < 1) throw new ProofError('invalid_range', 'a consistency proof starts from a tree of at least one entry');
    await this.checkSize(to);
    const plan: ProofPlan = consistencyPlan(from, to);
    return buildProof(plan, await this.nodeHashes(plan.nodes));
  }

  private async checkSize(treeSize: number): Promise<void> {
    if (treeSize >= 1 && treeSize <= this.knownSize) return; // the tree never shrinks
    const head = await this.store.head();
    this.knownSize = head.size;
    if (treeSize > head.size) throw new ProofError('tree_size_too_large', `the log has ${head.size} entries; no tree of size ${treeSize} exists yet`);
    if (treeSize < 1) throw new ProofError('invalid_tree_size', 'a proof needs a tree of at least one entry');
  }

  private async nodeHashes(nodes: readonly NodeId[]): Promise<(node: NodeId) => Buffer> {
    const located = nodes.map((node) => ({ node, at: locateNode(node) }));
    const tiles = new Map<string, Buffer>();
    const missing = new Map<string, TileAddress>();
    for (const { at } of located) {
      const key = tileKey(at.tile);
      const cached = this.cache.get(key);
      if (cached && cached.length >= (at.offset + at.count) * HASH_SIZE) tiles.set(key, cached);
      else missing.set(key, at.tile);
    }
    for (const key of missing.keys()) tiles.delete(key);
    if (missing.size > 0) {
      for (const [key, tile] of await this.store.tiles([...missing.values()])) {
        tiles.set(key, tile);
        this.remember(key, tile);
      }
    }
    const byNode = new Map(located.map(({ node, at }) => {
      const key = tileKey(at.tile);
      const tile = tiles.get(key);
      if (!tile || tile.length < (at.offset + at.count) * HASH_SIZE) throw new Error(`tile ${key} is missing from the store`);
      const levels = tile.length === TILE_WIDTH * HASH_SIZE ? this.innerLevels(key, tile) : undefined;
      const hash = levels ? levels[Math.log2(at.count)][at.offset / at.count] : nodeFromTile(tile, at);
      return [`${node.level}/${node.index}`, hash];
    }));
    return (node) => byNode.get(`${node.level}/${node.index}`) as Buffer;
  }

  private innerLevels(key: string, tile: Buffer): Buffer[][] {
    let levels = this.inner.get(key);
    if (!levels) {
      levels = [Array.from({ length: TILE_WIDTH }, (_, i) => tile.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))];
      while (levels[levels.length - 1].length > 1) {
        const below = levels[levels.length - 1];
        levels.push(Array.from({ length: below.length / 2 }, (_, i) => hashChildren(below[2 * i], below[2 * i + 1])));
      }
      if (this.inner.size >= this.cacheTiles) this.inner.delete(this.inner.keys().next().value as string);
      this.inner.set(key, levels);
    }
    return levels;
  }

  private remember(key: string, tile: Buffer): void {
    this.cache.delete(key);
    if (this.cache.size >= this.cacheTiles) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, tile);
  }
}
