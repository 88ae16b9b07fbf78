import { canonicalJson } from './canonical-json';
import type { Checkpoint } from './checkpoint';
import { CompactRange } from './compact-range';
import { hashLeaf } from './hash';

/**
 * Checks an NDJSON export (docs/architecture.md section 7: a line per entry,
 * `{index, leaf: base64 of the leaf bytes, entry}`) line by line, and recomputes the tree from
 * the leaves. A line is accepted when it is exactly as the log writes it: its index the next one,
 * its leaf base64, and its entry the leaf's own bytes (in strict mode, RFC 8785 canonical JSON);
 * the first line that is not names the first index that does not verify. At the end the recomputed root must equal the checkpoint's.
 */
export type ExportVerdict =
  | { readonly ok: true; readonly size: number }
  | { readonly ok: false; readonly firstBadIndex: number | null; readonly reason: string };

/** The verdict on one line: its leaf hash, or why it does not verify. */
export type LineCheck = { readonly leafHash: Buffer } | { readonly reason: string };

/**
 * Checks one line on its own (no tree needed), so lines can be checked in parallel and their leaf
 * hashes appended in order afterwards.
 */
export const checkLine = (text: string, index: number, strict = false): LineCheck => {
  const line = text.endsWith('\r') ? text.slice(0, -1) : text; // a CRLF line ending is no part of the line
  const exact = exactLine(line, index, strict);
  return exact ? { leafHash: hashLeaf(exact) } : { reason: whyNot(line, index) };
};

export class ExportVerifier {
  private readonly range = new CompactRange();
  private problem: { index: number; reason: string } | null = null;

  /** `strict`: also check that every leaf is in RFC 8785 canonical form (see exactLine). */
  constructor(private readonly strict = false) {}

  get count(): number {
    return this.range.size;
  }

  /** Feeds the next line (without its newline). Returns false once a line failed; later lines are ignored. */
  add(line: string): boolean {
    return this.addChecked(checkLine(line, this.range.size, this.strict));
  }

  /** Feeds the verdict of the next line, checked elsewhere (e.g. in a worker thread). */
  addChecked(check: LineCheck): boolean {
    if (this.problem) return false;
    if ('reason' in check) {
      this.problem = { index: this.range.size, reason: check.reason };
      return false;
    }
    this.range.append(check.leafHash);
    return true;
  }

  /** Compares the recomputed tree with a checkpoint that the caller already opened with its pinned key. */
  finish(checkpoint: Checkpoint): ExportVerdict {
    if (this.problem) return { ok: false, firstBadIndex: this.problem.index, reason: this.problem.reason };
    const size = this.range.size;
    if (size < checkpoint.size) return { ok: false, firstBadIndex: size, reason: `the export ends at ${size} entries; the checkpoint covers ${checkpoint.size}` };
    if (size > checkpoint.size) return { ok: false, firstBadIndex: checkpoint.size, reason: `entry ${checkpoint.size} and later are beyond the checkpoint (size ${checkpoint.size})` };
    if (!this.range.root().equals(checkpoint.rootHash)) {
      return {
        ok: false,
        firstBadIndex: null,
        reason: 'every line is self-consistent, but the recomputed root differs from the checkpoint: a leaf was replaced together with its entry (check single entries with inclusion proofs)',
      };
    }
    return { ok: true, size };
  }
}

/**
 * Why a line is not the one the log wrote. Only the exact form verifies: a line spelled otherwise
 * shows its entry through a JSON parser, and two parsers may read different data from it — a
 * repeated key (the last one wins in JavaScript, the first elsewhere), a number beyond 2^53 that
 * rounds to the leaf's — while its value alone matched the leaf. Such a line is refused even when
 * its value matches, and the reason says so.
 */
const whyNot = (line: string, index: number): string => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return `line ${index + 1} is not JSON`;
  }
  const { index: claimed, leaf, entry } = (parsed ?? {}) as { index?: unknown; leaf?: unknown; entry?: unknown };
  if (claimed !== index) return `line ${index + 1} has index ${JSON.stringify(claimed)}, expected ${index}`;
  const bytes = typeof leaf === 'string' ? strictBase64(leaf) : null;
  if (!bytes) return `entry ${index}: leaf is not base64`;
  const text = bytes.toString('utf8');
  if (!isCanonical(text)) return `entry ${index}: leaf is not RFC 8785 canonical JSON`;
  let entryText: string;
  try {
    entryText = canonicalJson(entry);
  } catch {
    return `entry ${index}: entry is not valid JSON data`;
  }
  if (entryText !== text) return `entry ${index}: entry does not match its leaf`;
  return `line ${index + 1} is not written as the log writes it ({"index":${index},"leaf":"<base64>","entry":<the leaf's bytes>}): its entry, read by another parser, may not be its leaf`;
};

/**
 * The line exactly as the audit service writes it, `{"index":i,"leaf":"<b64>","entry":<leaf>}`,
 * checked with string comparisons instead of a parse and re-serialisation (the 1,000,000-line
 * export must verify in seconds): the entry text is encoded back to base64 and compared with the
 * leaf field, so the entry shown is byte for byte the leaf the tree commits to. Whether that leaf
 * is also in canonical form is a check of the log's format, not of its integrity, and costs as
 * much again: it is done in `strict` mode. Any other line is refused (whyNot says why).
 */
const exactLine = (line: string, index: number, strict: boolean): Buffer | null => {
  const head = `{"index":${index},"leaf":"`;
  if (!line.startsWith(head) || !line.endsWith('}')) return null;
  const leafEnd = line.indexOf('"', head.length);
  if (leafEnd < 0 || !line.startsWith('","entry":', leafEnd)) return null;
  const text = line.slice(leafEnd + 10, -1);
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length * 4 > (leafEnd - head.length) * 3 + 3 || !line.startsWith(bytes.toString('base64'), head.length) || leafEnd - head.length !== Math.ceil(bytes.length / 3) * 4) return null;
  return !strict || isCanonical(text) ? bytes : null;
};

const strictBase64 = (text: string): Buffer | null => {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
};

/** Integer-like keys, which JavaScript objects order before the others whatever the text said. */
const INDEX_KEY = /^(0|[1-9][0-9]*)$/;

/** Keys in RFC 8785 order (UTF-16 code units) at every level, and none that JavaScript would reorder. */
const plainAndSorted = (value: unknown): boolean => {
  if (Array.isArray(value)) return value.every(plainAndSorted);
  if (value === null || typeof value !== 'object') return true;
  let previous: string | null = null;
  for (const key in value) {
    if ((previous !== null && !(previous < key)) || INDEX_KEY.test(key)) return false;
    if (!plainAndSorted((value as Record<string, unknown>)[key])) return false;
    previous = key;
  }
  return true;
};

/**
 * Whether text is the RFC 8785 canonical JSON of its own value. For text with sorted plain keys
 * and no \u escapes (a lone surrogate would be one), JSON.stringify produces exactly the RFC 8785
 * form (same number and string serialisation), which is far faster than re-canonicalising; any
 * other text is checked against the canonicalize library.
 */
const isCanonical = (text: string): boolean => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  if (!text.includes('\\u') && plainAndSorted(parsed)) return JSON.stringify(parsed) === text;
  try {
    return canonicalJson(parsed) === text;
  } catch {
    return false;
  }
};
