/**
 * Index arithmetic of RFC 9162 trees. Sizes and indexes are plain numbers up to 2^53 - 1, so the
 * arithmetic avoids JavaScript's 32-bit bitwise operators.
 */

/** A perfect subtree: 2^level leaves starting at leaf index * 2^level. */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** A run of leaves [start, end): the hash of any range is MTH(D[start:end]) of RFC 9162. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

export const assertSize = (name: string, value: number): void => {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
};

/** Exact for every safe integer (Math.log2 rounds: it says 49 for 2^49 - 1). */
export const isPowerOfTwo = (n: number): boolean => n > 0 && Number.isSafeInteger(n) && (BigInt(n) & (BigInt(n) - 1n)) === 0n;

/** The largest power of two strictly smaller than n (n > 1): the split point k of RFC 9162. */
export const largestPowerOfTwoBelow = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** The perfect subtrees that make up [start, end), left to right, largest first. */
export const perfectNodesOf = ({ start, end }: LeafRange): NodeId[] => {
  const nodes: NodeId[] = [];
  let at = start;
  while (at < end) {
    const n = end - at;
    const size = n === 1 || isPowerOfTwo(n) ? n : largestPowerOfTwoBelow(n);
    const level = Math.round(Math.log2(size));
    if (at % size !== 0) throw new RangeError(`[${start}, ${end}) is not made of aligned perfect subtrees`);
    nodes.push({ level, index: at / size });
    at += size;
  }
  return nodes;
};

/** The leaves a node covers. */
export const coverage = (node: NodeId): LeafRange => {
  const width = 2 ** node.level;
  return { start: node.index * width, end: (node.index + 1) * width };
};
