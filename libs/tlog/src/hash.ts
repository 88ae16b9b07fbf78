import { hash } from 'node:crypto';

/** RFC 9162 section 2.1.1 with SHA-256: every hash in the log is 32 bytes. */
export const HASH_SIZE = 32;

// One-shot hashing over a reused scratch buffer: a million-entry export is about three million
// hashes, and a Hash object per hash costs more than the hash of 65 bytes itself.
let scratch = Buffer.allocUnsafe(4096);
const sha256 = (bytes: Buffer): Buffer => hash('sha256', bytes, 'buffer');

/** Leaf hash: SHA-256(0x00 || leaf). The prefix keeps a leaf from passing for an interior node. */
export const hashLeaf = (leaf: Uint8Array): Buffer => {
  if (scratch.length < leaf.length + 1) scratch = Buffer.allocUnsafe(2 * (leaf.length + 1));
  scratch[0] = 0x00;
  scratch.set(leaf, 1);
  return sha256(scratch.subarray(0, leaf.length + 1));
};

/** Interior node hash: SHA-256(0x01 || left || right). */
export const hashChildren = (left: Uint8Array, right: Uint8Array): Buffer => {
  const size = 1 + left.length + right.length;
  if (scratch.length < size) scratch = Buffer.allocUnsafe(2 * size);
  scratch[0] = 0x01;
  scratch.set(left, 1);
  scratch.set(right, 1 + left.length);
  return sha256(scratch.subarray(0, size));
};

/** Root of the empty tree: SHA-256 of nothing. */
export const emptyRoot = (): Buffer => sha256(Buffer.alloc(0));

export const isHash = (value: unknown): value is Uint8Array => value instanceof Uint8Array && value.length === HASH_SIZE;
