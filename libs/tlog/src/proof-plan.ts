import { hashChildren } from './hash';
import { assertSize, largestPowerOfTwoBelow, perfectNodesOf, type LeafRange, type NodeId } from './tree-math';

/**
 * Which subtree hashes a proof is made of, following the recursive definitions of RFC 9162
 * (PATH in 2.1.3.1, SUBPROOF in 2.1.4.1). Each element is a leaf range; a range at the right edge
 * of the tree is not a perfect subtree and is rebuilt from the perfect nodes under it, so a store
 * only ever needs to hold perfect nodes (the tiles) and a proof costs O(log n) node reads.
 */
export interface ProofPlan {
  readonly ranges: readonly LeafRange[];
  /** Every perfect node the proof needs, deduplicated: what a store must fetch. */
  readonly nodes: readonly NodeId[];
}

/** Plan of the inclusion proof of leaf `index` in the tree of `size` leaves (0 <= index < size). */
export const inclusionPlan = (index: number, size: number): ProofPlan => {
  assertSize('index', index);
  assertSize('tree size', size);
  if (index >= size) throw new RangeError(`index ${index} is not in a tree of size ${size}`);
  return planOf(path(index, 0, size));
};

/** Plan of the consistency proof from tree size `from` to `to` (0 < from <= to). */
export const consistencyPlan = (from: number, to: number): ProofPlan => {
  assertSize('from', from);
  assertSize('to', to);
  if (from === 0) throw new RangeError('a consistency proof from the empty tree proves nothing: from must be at least 1');
  if (from > to) throw new RangeError(`from (${from}) is larger than to (${to})`);
  return planOf(from === to ? [] : subproof(from, 0, to, true));
};

/** RFC 9162 PATH(m, D[start:end]): deepest sibling first. */
const path = (m: number, start: number, end: number): LeafRange[] => {
  const n = end - start;
  if (n === 1) return [];
  const k = largestPowerOfTwoBelow(n);
  return m < start + k
    ? [...path(m, start, start + k), { start: start + k, end }]
    : [...path(m, start + k, end), { start, end: start + k }];
};

/** RFC 9162 SUBPROOF(m, D[start:end], b), m counted from start. */
const subproof = (m: number, start: number, end: number, known: boolean): LeafRange[] => {
  const n = end - start;
  if (m === n) return known ? [] : [{ start, end }];
  const k = largestPowerOfTwoBelow(n);
  return m <= k
    ? [...subproof(m, start, start + k, known), { start: start + k, end }]
    : [...subproof(m - k, start + k, end, false), { start, end: start + k }];
};

const planOf = (ranges: LeafRange[]): ProofPlan => {
  const seen = new Map<string, NodeId>();
  for (const range of ranges) for (const node of perfectNodesOf(range)) seen.set(nodeKey(node), node);
  return { ranges, nodes: [...seen.values()] };
};

export const nodeKey = (node: NodeId): string => `${node.level}/${node.index}`;

/** The proof's hashes, given the hash of every node the plan names. */
export const buildProof = (plan: ProofPlan, nodeHash: (node: NodeId) => Buffer): Buffer[] =>
  plan.ranges.map((range) => rangeHash(range, nodeHash));

/** MTH of a range: its perfect nodes folded from the right. */
export const rangeHash = (range: LeafRange, nodeHash: (node: NodeId) => Buffer): Buffer => {
  const nodes = perfectNodesOf(range);
  let hash = nodeHash(nodes[nodes.length - 1]);
  for (let i = nodes.length - 2; i >= 0; i--) hash = hashChildren(nodeHash(nodes[i]), hash);
  return hash;
};
