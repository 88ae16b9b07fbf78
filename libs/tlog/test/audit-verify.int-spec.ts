import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MemoryTree, canonicalBytes, emptyRoot, hashLeaf, signCheckpoint, signerFromSeed } from '../src';

/** The verifier CLI as a user runs it: files in, a verdict and an exit code out. */
const root = resolve(__dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'audit-verify-'));
const signer = signerFromSeed('homeline.test/audit', randomBytes(32));
const entries = Array.from({ length: 25 }, (_, i) => ({ event: { id: `e${i}`, type: 'CallRequested', data: { callId: `c${i}` } }, keyScope: null }));
const leaves = entries.map((e) => canonicalBytes(e));
const tree = MemoryTree.of(leaves);
const lines = leaves.map((leaf, i) => `{"index":${i},"leaf":"${leaf.toString('base64')}","entry":${leaf.toString('utf8')}}`);
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const key = file('audit.vkey', `${signer.verifier.text}\n`);
const checkpoint = file('checkpoint.txt', signCheckpoint({ origin: 'homeline.test/audit', size: 25, rootHash: tree.root() }, signer));

const verify = (...args: string[]) => {
  const run = spawnSync(process.execPath, ['-r', join(root, 'tools', 'register.js'), join(root, 'libs', 'tlog', 'src', 'cli', 'audit-verify.ts'), ...args], { encoding: 'utf8' });
  return { code: run.status, out: run.stdout.trim(), err: run.stderr.trim() };
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run audit:verify', () => {
  it('verifies an untouched export against the signed checkpoint', () => {
    const exported = file('export.ndjson', `${lines.join('\n')}\n`);
    expect(verify('--export', exported, '--checkpoint', checkpoint, '--key', key)).toEqual({ code: 0, out: 'verified 25 entries against checkpoint of size 25', err: '' });
  });

  it('names the index of the one line that was tampered with', () => {
    const tampered = lines.map((l, i) => (i === 13 ? l.replace('"type":"CallRequested"', '"type":"CallEnded"') : l));
    const result = verify('--export', file('tampered.ndjson', `${tampered.join('\n')}\n`), '--checkpoint', checkpoint, '--key', key);
    expect(result).toMatchObject({ code: 1, err: expect.stringMatching(/^FAILED: entry 13 does not verify/) });
  });

  describe('a large export, checked in parallel a chunk of 2 MiB at a time', () => {
    const many = Array.from({ length: 30_000 }, (_, i) => canonicalBytes({ event: { id: `e${i}`, type: 'CallRequested', data: { callId: `c${i}` } }, keyScope: null }));
    const big = MemoryTree.of(many);
    const lineOf = (leaf: Buffer, index: number) => `{"index":${index},"leaf":"${leaf.toString('base64')}","entry":${leaf.toString('utf8')}}`;
    const manyLines = many.map(lineOf);
    const bigCheckpoint = file('big.txt', signCheckpoint({ origin: 'homeline.test/audit', size: many.length, rootHash: big.root() }, signer));

    it('names the first bad index, and checks canonical form with --strict', () => {
      expect(verify('--export', file('big.ndjson', manyLines.join('\n')), '--checkpoint', bigCheckpoint, '--key', key, '--strict')).toMatchObject({ code: 0, out: 'verified 30000 entries against checkpoint of size 30000' });
      const bad = manyLines.map((l, i) => (i === 23_456 || i === 29_000 ? l.replace('"CallRequested"', '"CallEnded"') : l));
      expect(verify('--export', file('big-bad.ndjson', bad.join('\n')), '--checkpoint', bigCheckpoint, '--key', key)).toMatchObject({ code: 1, err: expect.stringMatching(/^FAILED: entry 23456 does not verify/) });
    });

    it('numbers the entries after a blank CRLF line from the right index in every later chunk', () => {
      // The lines that fit in the first chunk, which ends at the last newline of the first 2 MiB, with room for the blank line.
      let inFirstChunk = 0;
      for (let bytes = 0; (bytes += manyLines[inFirstChunk].length + 1) <= 2 * 1024 * 1024 - 2; ) inFirstChunk++;
      const withBlank = (labelled: string[]) => `${[...labelled.slice(0, 100), '\r', ...labelled.slice(100)].join('\n')}\n`;
      expect(verify('--export', file('blank.ndjson', withBlank(manyLines)), '--checkpoint', bigCheckpoint, '--key', key)).toEqual({ code: 0, out: 'verified 30000 entries against checkpoint of size 30000', err: '' });
      // Every line after the first chunk claims the index after its own, and no line claims inFirstChunk.
      const shifted = many.map((leaf, i) => lineOf(leaf, i < inFirstChunk ? i : i + 1));
      expect(verify('--export', file('blank-shifted.ndjson', withBlank(shifted)), '--checkpoint', bigCheckpoint, '--key', key))
        .toMatchObject({ code: 1, err: `FAILED: entry ${inFirstChunk} does not verify: line ${inFirstChunk + 1} has index ${inFirstChunk + 1}, expected ${inFirstChunk}` });
      expect(verify('--export', file('blank.ndjson', withBlank(manyLines)), '--checkpoint', bigCheckpoint, '--key', key, '--strict'))
        .toMatchObject({ code: 1, err: 'FAILED: entry 100 does not verify: a blank line before entry 100: the log writes none' });
    });
  });

  it('refuses a checkpoint signed by a key other than the pinned one', () => {
    const other = signerFromSeed('homeline.test/audit', randomBytes(32));
    const forged = file('forged.txt', signCheckpoint({ origin: 'homeline.test/audit', size: 25, rootHash: tree.root() }, other));
    expect(verify('--export', file('export2.ndjson', lines.join('\n')), '--checkpoint', forged, '--key', key)).toMatchObject({ code: 1, err: expect.stringMatching(/no signature by the pinned key/) });
  });

  it("refuses a checkpoint of another log signed with the same key (its origin), unless --origin names that log", () => {
    const staging = file('staging.txt', signCheckpoint({ origin: 'homeline.staging/audit', size: 25, rootHash: tree.root() }, signer));
    const exported = file('export3.ndjson', lines.join('\n'));
    expect(verify('--export', exported, '--checkpoint', staging, '--key', key)).toMatchObject({ code: 1, err: expect.stringMatching(/origin "homeline.staging\/audit" is not "homeline.test\/audit"/) });
    expect(verify('--export', exported, '--checkpoint', staging, '--key', key, '--origin', 'homeline.staging/audit')).toMatchObject({ code: 0 });
  });

  it('verifies a consistency proof between two checkpoints, and refuses one that does not rebuild the old root', () => {
    const older = file('old.txt', signCheckpoint({ origin: 'homeline.test/audit', size: 10, rootHash: tree.root(10) }, signer));
    const proof = { from: 10, to: 25, hashes: tree.consistencyProof(10, 25).map((h) => h.toString('base64')) };
    expect(verify('--checkpoint', checkpoint, '--previous', older, '--consistency', file('proof.json', JSON.stringify(proof)), '--key', key))
      .toEqual({ code: 0, out: 'checkpoint of size 25 is consistent with checkpoint of size 10', err: '' });
    const forgedOld = file('old-forged.txt', signCheckpoint({ origin: 'homeline.test/audit', size: 10, rootHash: tree.root(9) }, signer));
    expect(verify('--checkpoint', checkpoint, '--previous', forgedOld, '--consistency', file('proof.json', JSON.stringify(proof)), '--key', key)).toMatchObject({ code: 1, err: expect.stringMatching(/old root/) });
  });

  it("verifies that a checkpoint extends the log's first one, of size 0, with an empty proof, and refuses a size-0 checkpoint whose root is not the empty tree's", () => {
    const empty = file('empty.txt', signCheckpoint({ origin: 'homeline.test/audit', size: 0, rootHash: emptyRoot() }, signer));
    const proof = file('proof-from-0.json', JSON.stringify({ from: 0, to: 25, hashes: [] }));
    expect(verify('--checkpoint', checkpoint, '--previous', empty, '--consistency', proof, '--key', key))
      .toEqual({ code: 0, out: 'checkpoint of size 25 is consistent with checkpoint of size 0', err: '' });
    const notEmpty = file('empty-forged.txt', signCheckpoint({ origin: 'homeline.test/audit', size: 0, rootHash: tree.root(1) }, signer));
    expect(verify('--checkpoint', checkpoint, '--previous', notEmpty, '--consistency', proof, '--key', key)).toMatchObject({ code: 1, err: 'FAILED: the old root (size 0) is not the root of the empty tree' });
    const withHashes = file('proof-from-0-hashes.json', JSON.stringify({ from: 0, to: 25, hashes: [tree.root(25).toString('base64')] }));
    expect(verify('--checkpoint', checkpoint, '--previous', empty, '--consistency', withHashes, '--key', key)).toMatchObject({ code: 1, err: expect.stringMatching(/exactly 0/) });
  });

  it('verifies an inclusion proof of one entry, from its export line, and refuses a line that is not the proven leaf', () => {
    const proof = file('inclusion.json', JSON.stringify({ index: 7, treeSize: 25, leafHash: hashLeaf(leaves[7]).toString('base64'), hashes: tree.inclusionProof(7, 25).map((h) => h.toString('base64')) }));
    expect(verify('--checkpoint', checkpoint, '--inclusion', proof, '--entry', file('line-7.ndjson', `${lines[7]}\n`), '--key', key))
      .toEqual({ code: 0, out: 'entry 7 is in the checkpoint of size 25', err: '' });
    // The leaf hash is the line's, not the proof's: another entry's line does not pass for entry 7.
    const other = lines[8].replace('"index":8', '"index":7');
    expect(verify('--checkpoint', checkpoint, '--inclusion', proof, '--entry', file('line-8.ndjson', other), '--key', key)).toMatchObject({ code: 1, err: expect.stringMatching(/^FAILED: /) });
    expect(verify('--checkpoint', checkpoint, '--inclusion', proof, '--key', key)).toMatchObject({ code: 2, err: expect.stringMatching(/--entry/) });
  });

  it('says a proof file that holds no JSON object is no proof', () => {
    const line = file('line-7.ndjson', `${lines[7]}\n`);
    for (const [name, text] of [['null.json', 'null'], ['number.json', '7'], ['list.json', '[]'], ['broken.json', '{"index":']]) {
      expect(verify('--checkpoint', checkpoint, '--inclusion', file(name, text), '--entry', line, '--key', key))
        .toMatchObject({ code: 1, err: expect.stringMatching(/^FAILED: the inclusion proof .* is not (a JSON object|JSON)$/m) });
    }
  });

  it('explains its usage when an argument is missing', () => {
    expect(verify('--export', 'x')).toMatchObject({ code: 2, err: expect.stringMatching(/usage/) });
  });
});
