import { checkLine, type LineCheck } from './export-verifier';
import { hashLeaf } from './hash';

const NEWLINE = 0x0a;
const LEAF_FIELD = Buffer.from('","entry":');

/** The verdict on a run of lines: the leaf hash of each good line in order, and the first bad one if any. */
export interface ChunkCheck {
  readonly hashes: Buffer[];
  readonly failed?: { readonly index: number; readonly reason: string };
}

/**
 * Checks every line of a chunk of an export (whole lines, numbered from `first`) where it lies, as
 * bytes: the leaf is the line's own entry bytes (no copy, no UTF-8 decoding), compared with the
 * leaf field by one base64 encoding, then hashed. A line not spelled exactly as the service writes
 * it is handed to checkLine, which refuses it and says why. Same verdicts as checkLine, several
 * times faster on a million lines.
 */
export const checkChunk = (chunk: Buffer, first: number, strict: boolean): ChunkCheck => {
  const hashes: Buffer[] = [];
  let index = first;
  for (let start = 0; start < chunk.length; ) {
    let end = chunk.indexOf(NEWLINE, start);
    if (end < 0) end = chunk.length;
    // A line ending CRLF (an export that went through a Windows tool) is the same line.
    const lineEnd = end > start && chunk[end - 1] === 0x0d ? end - 1 : end;
    if (lineEnd > start) {
      const line = chunk.subarray(start, lineEnd);
      const leaf = strict ? null : exactLeaf(line, index);
      const check: LineCheck = leaf ? { leafHash: hashLeaf(leaf) } : checkLine(line.toString('utf8'), index, strict);
      if ('reason' in check) return { hashes, failed: { index, reason: check.reason } };
      hashes.push(check.leafHash);
      index++;
    }
    start = end + 1;
  }
  return { hashes };
};

/** The leaf bytes of a line written as `{"index":i,"leaf":"<b64>","entry":<leaf>}` with a matching leaf field, else null. */
const exactLeaf = (line: Buffer, index: number): Buffer | null => {
  const head = `{"index":${index},"leaf":"`;
  if (line.length < head.length + LEAF_FIELD.length + 1 || line.toString('latin1', 0, head.length) !== head || line[line.length - 1] !== 0x7d) return null;
  const leafEnd = line.indexOf(LEAF_FIELD, head.length);
  if (leafEnd < 0) return null;
  const leaf = line.subarray(leafEnd + LEAF_FIELD.length, line.length - 1);
  return leaf.toString('base64') === line.toString('latin1', head.length, leafEnd) ? leaf : null;
};
