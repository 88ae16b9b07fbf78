import vectors from './fixtures/transparency-dev-merkle.json';
import { CompactRange, MemoryTree, emptyRoot, hashChildren, hashLeaf, verifyConsistency, verifyInclusion } from '../src';

/** Published vectors of transparency-dev/merkle (source named in the fixture). */
const hex = (h: string) => Buffer.from(h, 'hex');
const b64 = (h: string) => Buffer.from(h, 'base64');
const leaves = vectors.leaves.map(hex);
const roots = vectors.rootsBySize.map(hex);
const tree = MemoryTree.of(leaves);
const someHash = hex('abacaba000000000000000000000000000000000000000000060061e00123456');

const flipBit = (proof: Buffer[], i: number, mask: number) => proof.map((h, j) => (j === i ? Buffer.from(h.map((b, k) => (k === 0 ? b ^ mask : b))) : h));

describe('RFC 9162 hashing', () => {
  it('matches the published hasher vectors', () => {
    expect(emptyRoot().toString('hex')).toBe(vectors.hasher.emptyRoot);
    expect(hashLeaf(Buffer.alloc(0)).toString('hex')).toBe(vectors.hasher.emptyLeaf);
    expect(hashLeaf(Buffer.from('L123456')).toString('hex')).toBe(vectors.hasher.leafL123456);
    expect(hashChildren(Buffer.from('N123'), Buffer.from('N456')).toString('hex')).toBe(vectors.hasher.nodeN123N456);
  });

  it('builds every published node hash and the root of every prefix of the reference tree', () => {
    vectors.nodeHashes.forEach((level, l) => level.forEach((h, i) => expect(tree.nodeHash({ level: l, index: i }).toString('hex')).toBe(h)));
    roots.forEach((root, size) => expect(tree.root(size).equals(root)).toBe(true));
  });

  it('keeps the published compact range (right edge) of every prefix', () => {
    const range = new CompactRange();
    vectors.compactTrees.forEach((nodes, size) => {
      expect(range.size).toBe(size);
      expect(range.hashes.map((h) => h.toString('hex'))).toEqual(nodes.map(([l, i]) => vectors.nodeHashes[l][i]));
      expect(range.root().equals(roots[size])).toBe(true);
      if (size < leaves.length) range.append(hashLeaf(leaves[size]));
    });
  });
});

describe('inclusion proofs', () => {
  it.each(vectors.inclusionProofs)('builds and verifies the published proof for leaf $leaf of $size', ({ leaf, size, proof }) => {
    const index = leaf - 1;
    expect(tree.inclusionProof(index, size).map((h) => h.toString('hex'))).toEqual(proof);
    expect(() => verifyInclusion(index, size, hashLeaf(leaves[index]), proof.map(hex), roots[size])).not.toThrow();
  });

  it.each(vectors.inclusionProofs)('refuses every published corruption of the proof for leaf $leaf of $size', ({ leaf, size, proof: hexProof }) => {
    const index = leaf - 1;
    const proof = hexProof.map(hex);
    const root = roots[size];
    const leafHash = hashLeaf(leaves[index]);
    const probes: Array<[string, () => void]> = [
      ['index - 1', () => verifyInclusion(index - 1, size, leafHash, proof, root)],
      ['index + 1', () => verifyInclusion(index + 1, size, leafHash, proof, root)],
      ['index ^ 2', () => verifyInclusion(index ^ 2, size, leafHash, proof, root)],
      ['size * 2', () => verifyInclusion(index, size * 2, leafHash, proof, root)],
      ['size / 2', () => verifyInclusion(index, Math.floor(size / 2), leafHash, proof, root)],
      ['wrong leaf', () => verifyInclusion(index, size, Buffer.from('WrongLeaf'), proof, root)],
      ['empty root', () => verifyInclusion(index, size, leafHash, proof, emptyRoot())],
      ['random root', () => verifyInclusion(index, size, leafHash, proof, someHash)],
      ['trailing garbage', () => verifyInclusion(index, size, leafHash, [...proof, Buffer.alloc(0)], root)],
      ['trailing root', () => verifyInclusion(index, size, leafHash, [...proof, root], root)],
      ['preceding garbage', () => verifyInclusion(index, size, leafHash, [Buffer.alloc(0), ...proof], root)],
      ['preceding root', () => verifyInclusion(index, size, leafHash, [root, ...proof], root)],
      ...proof.map((_, i) => [`modified proof[${i}] bit 3`, () => verifyInclusion(index, size, leafHash, flipBit(proof, i, 8), root)] as [string, () => void]),
      ...(proof.length > 0 ? [['removed component', () => verifyInclusion(index, size, leafHash, proof.slice(0, -1), root)] as [string, () => void]] : []),
      ...(proof.length > 1 ? [['inserted component', () => verifyInclusion(index, size, leafHash, [proof[0], someHash, ...proof.slice(1)], root)] as [string, () => void]] : []),
    ];
    const accepted = probes.filter(([, probe]) => !throws(probe)).map(([name]) => name);
    expect(accepted).toEqual([]);
  });

  it('verifies the published testdata happy paths', () => {
    for (const name of ['inclusion/0/happy-path.json', 'inclusion/4/happy-path.json'] as const) {
      const t = vectors.testdata[name];
      expect(() => verifyInclusion(t.leafIdx, t.treeSize, b64(t.leafHash), (t.proof ?? []).map(b64), b64(t.root))).not.toThrow();
    }
  });

  it('refuses an index at or beyond the tree size, and sizes that are not integers', () => {
    for (const [index, size] of [[0, 0], [1, 1], [2, 1], [1, 0], [0.5, 2], [-1, 2]]) {
      expect(() => verifyInclusion(index, size, someHash, [], emptyRoot())).toThrow();
    }
  });
});

describe('consistency proofs', () => {
  it.each(vectors.consistencyProofs)('builds and verifies the published proof from $size1 to $size2', ({ size1, size2, proof }) => {
    expect(tree.consistencyProof(size1, size2).map((h) => h.toString('hex'))).toEqual(proof);
    expect(() => verifyConsistency(size1, size2, proof.map(hex), roots[size1], roots[size2])).not.toThrow();
  });

  it.each(vectors.consistencyProofs.filter((p) => p.proof.length > 0))('refuses every published corruption of the proof from $size1 to $size2', ({ size1, size2, proof: hexProof }) => {
    const proof = hexProof.map(hex);
    const [r1, r2] = [roots[size1], roots[size2]];
    const wrong = Buffer.from('WrongRoot');
    const probes: Array<[string, () => void]> = [
      ['size1 - 1', () => verifyConsistency(size1 - 1, size2, proof, r1, r2)],
      ['size1 + 1', () => verifyConsistency(size1 + 1, size2, proof, r1, r2)],
      ['size1 ^ 2', () => verifyConsistency(size1 ^ 2, size2, proof, r1, r2)],
      ['size2 * 2', () => verifyConsistency(size1, size2 * 2, proof, r1, r2)],
      ['size2 / 2', () => verifyConsistency(size1, Math.floor(size2 / 2), proof, r1, r2)],
      ['wrong root1', () => verifyConsistency(size1, size2, proof, wrong, r2)],
      ['wrong root2', () => verifyConsistency(size1, size2, proof, r1, wrong)],
      ['swapped roots', () => verifyConsistency(size1, size2, proof, r2, r1)],
      ['empty proof', () => verifyConsistency(size1, size2, [], r1, r2)],
      ['trailing garbage', () => verifyConsistency(size1, size2, [...proof, Buffer.alloc(0)], r1, r2)],
      ['trailing root1', () => verifyConsistency(size1, size2, [...proof, r1], r1, r2)],
      ['trailing root2', () => verifyConsistency(size1, size2, [...proof, r2], r1, r2)],
      ['preceding garbage', () => verifyConsistency(size1, size2, [Buffer.alloc(0), ...proof], r1, r2)],
      ['preceding root1', () => verifyConsistency(size1, size2, [r1, ...proof], r1, r2)],
      ['preceding root2', () => verifyConsistency(size1, size2, [r2, ...proof], r1, r2)],
      ['preceding proof[0]', () => verifyConsistency(size1, size2, [proof[0], ...proof], r1, r2)],
      ['truncated proof', () => verifyConsistency(size1, size2, proof.slice(0, -1), r1, r2)],
      ...proof.map((_, i) => [`modified proof[${i}] bit 4`, () => verifyConsistency(size1, size2, flipBit(proof, i, 16), r1, r2)] as [string, () => void]),
    ];
    const accepted = probes.filter(([, probe]) => !throws(probe)).map(([name]) => name);
    expect(accepted).toEqual([]);
  });

  it('verifies the published testdata happy path and refuses its swapped roots', () => {
    const good = vectors.testdata['consistency/1/happy-path.json'];
    expect(() => verifyConsistency(good.size1, good.size2, good.proof.map(b64), b64(good.root1), b64(good.root2))).not.toThrow();
    const swapped = vectors.testdata['consistency/1/swapped-roots.json'];
    expect(() => verifyConsistency(swapped.size1, swapped.size2, swapped.proof.map(b64), b64(swapped.root1), b64(swapped.root2))).toThrow();
  });

  it('refuses from > to, and equal sizes with different roots or a non-empty proof', () => {
    expect(() => verifyConsistency(2, 1, [], roots[2], roots[1])).toThrow(/larger than/);
    expect(() => verifyConsistency(1, 1, [], roots[1], roots[2])).toThrow(/different roots/);
    expect(() => verifyConsistency(1, 1, [emptyRoot()], roots[1], roots[1])).toThrow(/exactly 0/);
    expect(() => verifyConsistency(1, 1, [], roots[1], roots[1])).not.toThrow();
  });

  it('takes every tree as extending the empty one, which a new log signs first, with an empty proof', () => {
    for (let size = 0; size < roots.length; size++) expect(() => verifyConsistency(0, size, [], emptyRoot(), roots[size])).not.toThrow();
  });

  it("refuses a proof from size 0 whose old root is not the empty tree's, or that is not empty", () => {
    expect(() => verifyConsistency(0, 8, [], roots[1], roots[8])).toThrow('the old root (size 0) is not the root of the empty tree');
    expect(() => verifyConsistency(0, 0, [], emptyRoot(), roots[1])).toThrow(/different roots/);
    expect(() => verifyConsistency(0, 8, [emptyRoot()], emptyRoot(), roots[8])).toThrow(/exactly 0/);
    expect(() => verifyConsistency(0, 8, [roots[8]], emptyRoot(), roots[8])).toThrow(/exactly 0/);
  });
});

const throws = (probe: () => void): boolean => {
  try {
    probe();
    return false;
  } catch {
    return true;
  }
};
