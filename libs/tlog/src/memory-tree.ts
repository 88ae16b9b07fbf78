import { CompactRange } from './compact-range';
import { emptyRoot, hashLeaf } from './hash';
import { buildProof, consistencyPlan, inclusionPlan, rangeHash } from './proof-plan';
import type { NodeId } from './tree-math';

/**
 * A whole tree in memory: every perfect node, by level. The reference the verifier and the tests
 * build proofs against; the service keeps the same nodes in tiles instead.
 */
export class MemoryTree {
  private readonly levels: Buffer[][] = [];
  private readonly edge = new CompactRange();

  static of(leaves: readonly Uint8Array[]): MemoryTree {
    const tree = new MemoryTree();
    for (const leaf of leaves) tree.appendLeaf(leaf);
    return tree;
  }

  get size(): number {
    return this.edge.size;
  }

  appendLeaf(leaf: Uint8Array): void {
    this.appendHash(hashLeaf(leaf));
  }

  appendHash(leafHash: Buffer): void {
    this.edge.append(leafHash, (level, index, hash) => {
      (this.levels[level] ??= [])[index] = hash;
    });
  }

  nodeHash = (node: NodeId): Buffer => {
    const hash = this.levels[node.level]?.[node.index];
    if (!hash) throw new RangeError(`node ${node.level}/${node.index} is not complete in a tree of size ${this.size}`);
    return hash;
  };

  root(size = this.size): Buffer {
    return size === 0 ? emptyRoot() : rangeHash({ start: 0, end: size }, this.nodeHash);
  }

  inclusionProof(index: number, size = this.size): Buffer[] {
    return buildProof(inclusionPlan(index, size), this.nodeHash);
  }

  consistencyProof(from: number, to = this.size): Buffer[] {
    return buildProof(consistencyPlan(from, to), this.nodeHash);
  }
}
