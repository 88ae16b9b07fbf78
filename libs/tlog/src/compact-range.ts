import { emptyRoot, hashChildren } from './hash';
import { assertSize } from './tree-math';

/** Called for every node an append completes: the leaf itself (level 0) and each parent it closes. */
export type NodeVisitor = (level: number, index: number, hash: Buffer) => void;

/**
 * The right edge of a tree of `size` leaves: the roots of its perfect subtrees, largest first
 * (at most log2(size) hashes). Enough to append leaves and compute the root without the rest of
 * the tree, which is how the integrator extends the log one batch at a time.
 */
export class CompactRange {
  private readonly roots: Buffer[];
  private count: number;

  constructor(size = 0, roots: readonly Buffer[] = []) {
    assertSize('size', size);
    const expected = popCount(size);
    if (roots.length !== expected) throw new RangeError(`a compact range of size ${size} has ${expected} hashes, got ${roots.length}`);
    this.count = size;
    this.roots = [...roots];
  }

  get size(): number {
    return this.count;
  }

  /** The perfect-subtree roots, largest first (what the integrator persists). */
  get hashes(): readonly Buffer[] {
    return this.roots;
  }

  append(leafHash: Buffer, visit?: NodeVisitor): void {
    let index = this.count;
    let level = 0;
    let hash = leafHash;
    visit?.(level, index, hash);
    // Each trailing 1 bit of the old size is a perfect subtree the new leaf completes a sibling for.
    for (let rest = this.count; rest % 2 === 1; rest = (rest - 1) / 2) {
      hash = hashChildren(this.roots.pop() as Buffer, hash);
      level += 1;
      index = (index - 1) / 2;
      visit?.(level, index, hash);
    }
    this.roots.push(hash);
    this.count += 1;
  }

  /** MTH of the whole range: the perfect subtrees folded from the right. */
  root(): Buffer {
    if (this.roots.length === 0) return emptyRoot();
    let hash = this.roots[this.roots.length - 1];
    for (let i = this.roots.length - 2; i >= 0; i--) hash = hashChildren(this.roots[i], hash);
    return hash;
  }

  clone(): CompactRange {
    return new CompactRange(this.count, this.roots);
  }
}

const popCount = (n: number): number => {
  let ones = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) ones += rest % 2;
  return ones;
};
