import fc from 'fast-check';
import { MemoryTree, hashLeaf, verifyConsistency, verifyInclusion } from '../src';
import { isPowerOfTwo } from '../src/tree-math';

/**
 * Properties over whole trees: every proof the library builds verifies, and flipping any single
 * bit of a proof, the leaf hash or a root makes verification fail.
 */
const MAX = 300;
const tree = MemoryTree.of(Array.from({ length: MAX }, (_, i) => Buffer.from(`leaf ${i}`)));
const leafHash = (i: number) => hashLeaf(Buffer.from(`leaf ${i}`));

const flip = (hash: Buffer, bit: number): Buffer => {
  const copy = Buffer.from(hash);
  copy[Math.floor(bit / 8)] ^= 1 << bit % 8;
  return copy;
};

const rejects = (probe: () => void): boolean => {
  try {
    probe();
    return false;
  } catch {
    return true;
  }
};

describe('every inclusion proof', () => {
  it(`verifies, for every leaf of every tree size up to ${MAX}`, () => {
    let checked = 0;
    for (let size = 1; size <= MAX; size++) {
      const root = tree.root(size);
      for (let index = 0; index < size; index++) {
        verifyInclusion(index, size, leafHash(index), tree.inclusionProof(index, size), root);
        checked++;
      }
    }
    expect(checked).toBe((MAX * (MAX + 1)) / 2);
  });

  it('is refused after any single-bit change of a proof hash, the leaf hash or the root', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: MAX }), fc.nat(), fc.nat(), fc.nat(255), (size, i, which, bit) => {
        const index = i % size;
        const proof = tree.inclusionProof(index, size);
        const root = tree.root(size);
        const target = which % (proof.length + 2);
        if (target < proof.length) {
          const bad = proof.map((h, j) => (j === target ? flip(h, bit) : h));
          return rejects(() => verifyInclusion(index, size, leafHash(index), bad, root));
        }
        if (target === proof.length) return rejects(() => verifyInclusion(index, size, flip(leafHash(index), bit), proof, root));
        return rejects(() => verifyInclusion(index, size, leafHash(index), proof, flip(root, bit)));
      }),
      { numRuns: 3000 },
    );
  });

  it('of a leaf is refused for any other index or tree size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: MAX }), fc.nat(), fc.nat(), (size, i, j) => {
        const index = i % size;
        const other = j % size;
        fc.pre(other !== index);
        const proof = tree.inclusionProof(index, size);
        return rejects(() => verifyInclusion(other, size, leafHash(index), proof, tree.root(size)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('every consistency proof', () => {
  it('verifies, for every pair of sizes up to 128, and for random pairs up to 300', () => {
    for (let to = 1; to <= 128; to++) {
      for (let from = 1; from <= to; from++) verifyConsistency(from, to, tree.consistencyProof(from, to), tree.root(from), tree.root(to));
    }
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX }), fc.integer({ min: 1, max: MAX }), (a, b) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        verifyConsistency(from, to, tree.consistencyProof(from, to), tree.root(from), tree.root(to));
      }),
      { numRuns: 3000 },
    );
  });

  it('is refused after any single-bit change of a proof hash or either root', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX - 1 }), fc.integer({ min: 2, max: MAX }), fc.nat(), fc.nat(255), (a, b, which, bit) => {
        fc.pre(a < b);
        const proof = tree.consistencyProof(a, b);
        const [r1, r2] = [tree.root(a), tree.root(b)];
        const target = which % (proof.length + 2);
        if (target < proof.length) return rejects(() => verifyConsistency(a, b, proof.map((h, j) => (j === target ? flip(h, bit) : h)), r1, r2));
        if (target === proof.length) return rejects(() => verifyConsistency(a, b, proof, flip(r1, bit), r2));
        return rejects(() => verifyConsistency(a, b, proof, r1, flip(r2, bit)));
      }),
      { numRuns: 3000 },
    );
  });

  it('that rebuilds only the new root is refused: a valid proof checked against another old root', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX - 1 }), fc.integer({ min: 2, max: MAX }), (a, b) => {
        fc.pre(a < b);
        const proof = tree.consistencyProof(a, b);
        const forgedOld = tree.root(a === 1 ? 2 : a - 1);
        return rejects(() => verifyConsistency(a, b, proof, forgedOld, tree.root(b)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the tree arithmetic at sizes no test tree reaches', () => {
  it('knows a power of two exactly, where Math.log2 rounds (it says 49 for 2^49 - 1)', () => {
    expect([2 ** 49, 2 ** 52, 1, 2].map(isPowerOfTwo)).toEqual([true, true, true, true]);
    expect([2 ** 49 - 1, 2 ** 53 - 1, 0, 3, 6].map(isPowerOfTwo)).toEqual([false, false, false, false, false]);
  });
});
