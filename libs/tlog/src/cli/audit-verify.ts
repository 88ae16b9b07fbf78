/**
 * npm run audit:verify — the offline verifier of docs/architecture.md section 7. It trusts only the
 * verifier key it is given (pinned, e.g. .data/audit.vkey), never the server.
 *
 *   npm run audit:verify -- --export FILE --checkpoint FILE --key FILE [--strict]
 *       recomputes the tree from an NDJSON export and checks it against the signed checkpoint:
 *       exit 0 "verified N entries against checkpoint of size N"; otherwise exit 1 naming the
 *       first index that does not verify. A blank line is passed over. --strict also checks the
 *       log's format, on top of its integrity: every leaf RFC 8785 canonical JSON (about twice the
 *       time), and no blank line.
 *   npm run audit:verify -- --checkpoint NEW --previous OLD --consistency PROOF.json --key FILE
 *       checks that NEW extends OLD: PROOF.json is GET /v1/audit/consistency?from=<OLD size>&to=<NEW size>.
 *       Every tree extends the empty one a new log signs first: for an OLD of size 0 (whose root must
 *       be the empty tree's) the service serves no proof, and PROOF.json is {"from":0,"to":<NEW size>,"hashes":[]}.
 *   npm run audit:verify -- --checkpoint FILE --inclusion PROOF.json --entry LINE --key FILE
 *       checks that one entry is in the checkpoint's tree: PROOF.json is GET /v1/audit/entries/<i>/proof?treeSize=<size>,
 *       LINE the entry's export line (GET /v1/audit/export?from=<i>&to=<i+1>). The leaf hash proven is the
 *       line's own, not the one the proof names: a proof only says something of the entry in hand.
 *   --origin ORIGIN: the log the checkpoints must name (C2SP tlog-checkpoint: a client checks the
 *       origin); by default the key's name, which is the log's origin unless AUDIT_ORIGIN set another.
 *       The same key signing a staging log is then not taken for production's.
 * Usage errors exit 2.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openCheckpoint } from '../checkpoint';
import { ExportVerifier, checkLine } from '../export-verifier';
import { parseVerifierKey, type NoteVerifier } from '../note';
import { verifyConsistency, verifyInclusion } from '../verify';
import { verifyChunks } from './parallel-lines';
import { readLineChunks } from './read-lines';

const USAGE = 'usage: audit:verify --key FILE [--origin ORIGIN] --checkpoint FILE (--export FILE [--strict] | --previous FILE --consistency FILE | --inclusion FILE --entry FILE)';

class UsageError extends Error {}

const flags = (argv: readonly string[]): Map<string, string> => {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    if (name === '--strict') {
      out.set('strict', 'true');
      i -= 1;
      continue;
    }
    if (!name.startsWith('--') || argv[i + 1] === undefined) throw new UsageError(`unexpected argument ${JSON.stringify(name)}`);
    out.set(name.slice(2), argv[i + 1]);
  }
  return out;
};

/** npm runs scripts from the repository root; paths are the caller's, relative to where they typed the command. */
const here = (file: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), file);

const read = (file: string, what: string): string => {
  try {
    return readFileSync(here(file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the ${what} ${file}: ${(error as Error).message}`);
  }
};

/** A proof file's JSON object: anything else (null, a number, a list, broken JSON) is said to be no proof. */
const readProof = <T extends object>(file: string, what: string): Partial<T> => {
  const text = read(file, what);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`the ${what} ${file} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`the ${what} ${file} is not a JSON object`);
  return value as Partial<T>;
};

/** A proof's `hashes`: a list of base64 strings, or the proof is refused. */
const hashesOf = (proof: { hashes?: unknown }): Buffer[] => {
  if (!Array.isArray(proof.hashes) || !proof.hashes.every((h) => typeof h === 'string')) throw new Error('the proof has no list of base64 hashes');
  return proof.hashes.map((h: string) => Buffer.from(h, 'base64'));
};

async function verifyExport(file: string, checkpointNote: string, key: NoteVerifier, origin: string, strict: boolean): Promise<string> {
  const checkpoint = openCheckpoint(checkpointNote, key, origin);
  const verifier = new ExportVerifier(strict);
  await verifyChunks(readLineChunks(here(file)), verifier, { strict });
  const verdict = verifier.finish(checkpoint);
  if (verdict.ok) return `verified ${verdict.size} entries against checkpoint of size ${checkpoint.size}`;
  throw new Error(verdict.firstBadIndex === null ? `verification failed: ${verdict.reason}` : `entry ${verdict.firstBadIndex} does not verify: ${verdict.reason}`);
}

function verifyExtension(newNote: string, oldNote: string, proofFile: string, key: NoteVerifier, origin: string): string {
  const newer = openCheckpoint(newNote, key, origin);
  const older = openCheckpoint(oldNote, key, origin);
  const proof = readProof<{ from: unknown; to: unknown; hashes: unknown }>(proofFile, 'consistency proof');
  if (proof.from !== older.size || proof.to !== newer.size) throw new Error(`the proof is from ${String(proof.from)} to ${String(proof.to)}, the checkpoints are of sizes ${older.size} and ${newer.size}`);
  verifyConsistency(older.size, newer.size, hashesOf(proof), older.rootHash, newer.rootHash);
  return `checkpoint of size ${newer.size} is consistent with checkpoint of size ${older.size}`;
}

function verifyEntry(note: string, proofFile: string, entryFile: string, key: NoteVerifier, origin: string): string {
  const checkpoint = openCheckpoint(note, key, origin);
  const proof = readProof<{ index: unknown; treeSize: unknown; hashes: unknown }>(proofFile, 'inclusion proof');
  if (typeof proof.index !== 'number' || proof.treeSize !== checkpoint.size) {
    throw new Error(`the proof is of index ${String(proof.index)} in a tree of size ${String(proof.treeSize)}, the checkpoint is of size ${checkpoint.size}`);
  }
  const hashes = hashesOf(proof);
  const lines = read(entryFile, 'entry').split('\n').filter((line) => line.trim() !== '');
  if (lines.length !== 1) throw new Error(`the entry file holds ${lines.length} lines of an export, not one`);
  const line = checkLine(lines[0], proof.index);
  if (!('leafHash' in line)) throw new Error(`the entry is not line ${proof.index} of an export: ${line.reason}`);
  verifyInclusion(proof.index, checkpoint.size, line.leafHash, hashes, checkpoint.rootHash);
  return `entry ${proof.index} is in the checkpoint of size ${checkpoint.size}`;
}

async function main(argv: readonly string[]): Promise<number> {
  let args: Map<string, string>;
  try {
    args = flags(argv);
    if (!args.has('key') || !args.has('checkpoint') || (!args.has('export') && !args.has('consistency') && !args.has('inclusion'))) throw new UsageError(USAGE);
    if (args.has('consistency') && !args.has('previous')) throw new UsageError('--consistency needs --previous (the older checkpoint)');
    if (args.has('inclusion') && !args.has('entry')) throw new UsageError('--inclusion needs --entry (the entry\'s export line)');
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  try {
    const key = parseVerifierKey(read(args.get('key') as string, 'verifier key'));
    const note = read(args.get('checkpoint') as string, 'checkpoint');
    const origin = args.get('origin') ?? key.name;
    if (args.has('export')) console.log(await verifyExport(args.get('export') as string, note, key, origin, args.has('strict')));
    if (args.has('inclusion')) console.log(verifyEntry(note, args.get('inclusion') as string, args.get('entry') as string, key, origin));
    if (args.has('consistency')) console.log(verifyExtension(note, read(args.get('previous') as string, 'previous checkpoint'), args.get('consistency') as string, key, origin));
    return 0;
  } catch (error) {
    console.error(error instanceof UsageError ? error.message : `FAILED: ${(error as Error).message}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
