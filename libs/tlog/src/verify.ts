import { HASH_SIZE, emptyRoot, hashChildren } from './hash';
import { consistencyPlan, inclusionPlan } from './proof-plan';
import { assertSize, isPowerOfTwo } from './tree-math';

/** A proof, root or size that does not check out. The message says which rule it broke. */
export class VerificationError extends Error {
  override readonly name = 'VerificationError';
}

const fail = (message: string): never => {
  throw new VerificationError(message);
};

const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

const checkHashes = (what: string, hashes: readonly Uint8Array[]): void => {
  hashes.forEach((h, i) => {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) fail(`${what}[${i}] is not a ${HASH_SIZE}-byte hash`);
  });
};

const checkSizes = (sizes: Record<string, number>): void => {
  for (const [name, value] of Object.entries(sizes)) {
    try {
      assertSize(name, value);
    } catch (error) {
      fail((error as Error).message);
    }
  }
};

/** The hash count a well-formed proof has; a proof of any other length is refused before any hashing. */
const expectCount = (what: string, got: number, want: number): void => {
  if (got !== want) fail(`${what} has ${got} hashes; a proof for these sizes has exactly ${want}`);
};

/**
 * RFC 9162 section 2.1.3.2: recomputes the root from the leaf hash and the audit path, and
 * accepts only if every hash was consumed at the right level and the result equals `root`.
 */
export const verifyInclusion = (index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): void => {
  checkSizes({ index, 'tree size': size });
  if (index >= size) fail(`index ${index} is not below the tree size ${size}`);
  checkHashes('leaf hash', [leafHash]);
  checkHashes('root', [root]);
  checkHashes('proof', proof);
  expectCount('inclusion proof', proof.length, inclusionPlan(index, size).ranges.length);
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0) fail('inclusion proof is longer than the path to the root');
    if (odd(fn) || fn === sn) {
      r = hashChildren(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) fail('inclusion proof is shorter than the path to the root');
  if (!Buffer.from(r).equals(root)) fail(`leaf ${index} is not in the tree of size ${size} with this root`);
};

/**
 * Every tree extends the empty one, which a new log signs first (size 0). RFC 9162 defines a
 * consistency proof only from a size above 0, so there is nothing to prove but that the old root is
 * the empty tree's, and the proof must be empty.
 */
const verifyFromEmpty = (to: number, proof: readonly Uint8Array[], fromRoot: Uint8Array, toRoot: Uint8Array): void => {
  expectCount('consistency proof', proof.length, 0);
  if (!emptyRoot().equals(fromRoot)) fail('the old root (size 0) is not the root of the empty tree');
  if (to === 0 && !emptyRoot().equals(toRoot)) fail('two different roots for the same tree size 0');
};

/**
 * RFC 9162 section 2.1.4.2: rebuilds BOTH the old root and the new root from one proof and
 * accepts only if both match. A proof that rebuilds only one of them (the flaw of immudb's
 * GHSA-672p-m5jq-mrh8), or has a hash too many or too few, is refused. From size 0, see
 * verifyFromEmpty.
 */
export const verifyConsistency = (from: number, to: number, proof: readonly Uint8Array[], fromRoot: Uint8Array, toRoot: Uint8Array): void => {
  checkSizes({ from, to });
  if (from > to) fail(`from (${from}) is larger than to (${to})`);
  checkHashes('old root', [fromRoot]);
  checkHashes('new root', [toRoot]);
  checkHashes('proof', proof);
  if (from === 0) return verifyFromEmpty(to, proof, fromRoot, toRoot);
  expectCount('consistency proof', proof.length, consistencyPlan(from, to).ranges.length);
  if (from === to) {
    if (!Buffer.from(fromRoot).equals(toRoot)) fail(`two different roots for the same tree size ${from}`);
    return;
  }
  const path = isPowerOfTwo(from) ? [fromRoot, ...proof] : [...proof];
  let fn = from - 1;
  let sn = to - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0];
  let sr: Uint8Array = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) fail('consistency proof is longer than the path to the root');
    if (odd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) fail('consistency proof is shorter than the path to the root');
  if (!Buffer.from(fr).equals(fromRoot)) fail(`the proof does not rebuild the old root (size ${from})`);
  if (!Buffer.from(sr).equals(toRoot)) fail(`the proof does not rebuild the new root (size ${to})`);
};
