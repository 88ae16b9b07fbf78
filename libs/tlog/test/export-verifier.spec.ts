import { CompactRange, ExportVerifier, canonicalJson, checkChunk, hashLeaf, type Checkpoint } from '../src';
import { countEntries } from '../src/export-chunk';

/** An export as the service writes it, verified against the checkpoint of its tree. */
const entries = Array.from({ length: 40 }, (_, i) => ({ type: i % 3 ? 'CallRequested' : 'CallConnected', index: i, data: { callId: `c-${i}`, e164: { $sealed: 'AAAA' } } }));
const leafOf = (entry: unknown) => Buffer.from(canonicalJson(entry), 'utf8');
const line = (index: number, leaf: Buffer) => `{"index":${index},"leaf":"${leaf.toString('base64')}","entry":${leaf.toString('utf8')}}`;
const lines = entries.map((e, i) => line(i, leafOf(e)));
const checkpointOf = (leaves: Buffer[]): Checkpoint => {
  const range = new CompactRange();
  leaves.forEach((l) => range.append(hashLeaf(l)));
  return { origin: 'test', size: leaves.length, rootHash: range.root() };
};
const checkpoint = checkpointOf(entries.map(leafOf));

const verify = (input: string[], against = checkpoint, strict = false) => {
  const verifier = new ExportVerifier(strict);
  input.forEach((l) => verifier.add(l));
  return verifier.finish(against);
};

describe('an export', () => {
  it('verifies when every line is as written and the tree matches the checkpoint', () => {
    expect(verify(lines)).toEqual({ ok: true, size: 40 });
  });

  it('refuses a line spelled otherwise, though its value is the same JSON: another parser may read other data from it', () => {
    const parsed = JSON.parse(lines[5]);
    const respelled = JSON.stringify({ entry: parsed.entry, leaf: parsed.leaf, index: 5 }, null, 0).replace('{', '{ ');
    expect(verify([...lines.slice(0, 5), respelled, ...lines.slice(6)])).toMatchObject({ ok: false, firstBadIndex: 5, reason: expect.stringMatching(/not written as the log writes it/) });
  });

  it('refuses a line whose entry shows a repeated key or a number beyond 2^53 over the committed leaf', () => {
    const leaf = leafOf(entries[7]);
    // JavaScript keeps the last "entry" (the leaf); a reader keeping the first sees an account that is not in the log.
    const repeated = `{"index":7,"leaf":"${leaf.toString('base64')}","entry":{"type":"CallEnded","accountId":"acc-666"},"entry":${leaf.toString('utf8')}}`;
    expect(verify([...lines.slice(0, 7), repeated, ...lines.slice(8)])).toMatchObject({ ok: false, firstBadIndex: 7 });
    const big = Buffer.from('{"n":9007199254740992}');
    const rounded = `{"index":0,"leaf":"${big.toString('base64')}","entry":{"n":9007199254740993}}`; // the same double
    expect(verify([rounded], checkpointOf([big]))).toMatchObject({ ok: false, firstBadIndex: 0 });
  });

  it('names the index whose entry was changed without its leaf', () => {
    const tampered = lines[17].replace('"type":"CallRequested"', '"type":"CallEnded"');
    expect(verify([...lines.slice(0, 17), tampered, ...lines.slice(18)])).toMatchObject({ ok: false, firstBadIndex: 17, reason: expect.stringMatching(/does not match its leaf/) });
  });

  it('names the index whose leaf was changed without its entry', () => {
    const forged = leafOf({ ...entries[23], type: 'CallEnded' });
    const tampered = `{"index":23,"leaf":"${forged.toString('base64')}","entry":${leafOf(entries[23]).toString('utf8')}}`;
    expect(verify([...lines.slice(0, 23), tampered, ...lines.slice(24)])).toMatchObject({ ok: false, firstBadIndex: 23 });
  });

  it('names the first index when a line is missing, duplicated or not JSON', () => {
    expect(verify([...lines.slice(0, 9), ...lines.slice(10)])).toMatchObject({ ok: false, firstBadIndex: 9 });
    expect(verify([...lines.slice(0, 9), lines[8], ...lines.slice(9)])).toMatchObject({ ok: false, firstBadIndex: 9 });
    expect(verify([...lines.slice(0, 3), '{"index":3,', ...lines.slice(4)])).toMatchObject({ ok: false, firstBadIndex: 3 });
  });

  it('in strict mode, refuses a leaf that is not canonical JSON even when its entry is the same text', () => {
    const loose = Buffer.from('{"type": "CallRequested"}');
    const withLoose = [...lines.slice(0, 2), line(2, loose), ...lines.slice(3)];
    expect(verify(withLoose, checkpoint, true)).toMatchObject({ ok: false, firstBadIndex: 2, reason: expect.stringMatching(/canonical/) });
    // Without strict mode the line is accepted as what it is (its entry is its leaf), and the tree decides.
    expect(verify(withLoose)).toMatchObject({ ok: false, firstBadIndex: null });
  });

  it('in strict mode, verifies an export whose leaves are all canonical', () => {
    expect(verify(lines, checkpoint, true)).toEqual({ ok: true, size: 40 });
  });

  it('names the first index beyond a shorter checkpoint, and where a truncated export ends', () => {
    expect(verify(lines, checkpointOf(entries.slice(0, 30).map(leafOf)))).toMatchObject({ ok: false, firstBadIndex: 30 });
    expect(verify(lines.slice(0, 30))).toMatchObject({ ok: false, firstBadIndex: 30 });
  });

  it('fails on the root when a leaf was replaced together with its entry', () => {
    const forged = leafOf({ ...entries[11], type: 'CallEnded' });
    expect(verify([...lines.slice(0, 11), line(11, forged), ...lines.slice(12)])).toMatchObject({ ok: false, firstBadIndex: null, reason: expect.stringMatching(/root differs/) });
  });
});

describe('an export checked a chunk of bytes at a time', () => {
  const chunkOf = (input: string[]) => Buffer.from(`${input.join('\n')}\n`);

  it('gives the leaf hash of every line, as the line-by-line check does', () => {
    const { hashes, failed } = checkChunk(chunkOf(lines), 0, false);
    expect(failed).toBeUndefined();
    expect(hashes.map((h) => h.toString('hex'))).toEqual(entries.map((e) => hashLeaf(leafOf(e)).toString('hex')));
  });

  it('reads lines ending CRLF as the same lines (an export that went through a Windows tool)', () => {
    const crlf = checkChunk(Buffer.from(`${lines.join('\r\n')}\r\n`), 0, false);
    expect({ failed: crlf.failed, count: crlf.hashes.length }).toEqual({ failed: undefined, count: 40 });
    expect(verify(lines.map((l) => `${l}\r`))).toEqual({ ok: true, size: 40 });
  });

  it('passes over a blank line, ending CRLF or not, and numbers the next line as the next entry', () => {
    const withBlanks = Buffer.from(`${lines.slice(0, 10).join('\n')}\n\r\n\n${lines.slice(10).join('\r\n')}\r\n\r`);
    expect(checkChunk(withBlanks, 0, false)).toEqual({ hashes: entries.map((e) => hashLeaf(leafOf(e))) });
    const skipping = Buffer.from(`${lines.slice(0, 10).join('\n')}\n\r\n${lines.slice(11).join('\n')}\n`);
    expect(checkChunk(skipping, 0, false).failed).toEqual({ index: 10, reason: 'line 11 has index 11, expected 10' });
  });

  it('counts as many entries in a chunk as it checks, so the next chunk is numbered from the right index', () => {
    const chunks = [`${lines[0]}\r\n\r\n${lines[1]}\n`, `\n\r\n${lines[0]}`, `${lines[0]}\r\n\r`, '\r\n', '\r', ''];
    expect(chunks.map((c) => countEntries(Buffer.from(c)))).toEqual(chunks.map((c) => checkChunk(Buffer.from(c), 0, false).hashes.length));
  });

  it('in strict mode, refuses a blank line: the log writes none', () => {
    const withBlank = Buffer.from(`${lines.slice(0, 10).join('\n')}\n\r\n${lines.slice(10).join('\n')}\n`);
    expect(checkChunk(withBlank, 0, true)).toMatchObject({ hashes: { length: 10 }, failed: { index: 10, reason: 'a blank line before entry 10: the log writes none' } });
  });

  it('numbers lines from where the chunk starts, and names the first bad one', () => {
    const tampered = lines.map((l, i) => (i === 25 ? l.replace('"type":"CallRequested"', '"type":"CallEnded"') : l));
    expect(checkChunk(chunkOf(tampered.slice(20)), 20, false)).toMatchObject({ hashes: expect.any(Array), failed: { index: 25, reason: expect.stringMatching(/does not match its leaf/) } });
    expect(checkChunk(chunkOf(lines.slice(20)), 19, false).failed).toMatchObject({ index: 19 });
  });

  it('refuses a line spelled otherwise, and checks canonical form when strict', () => {
    const parsed = JSON.parse(lines[5]);
    const respelled = JSON.stringify({ entry: parsed.entry, index: 5, leaf: parsed.leaf });
    expect(checkChunk(chunkOf([...lines.slice(0, 5), respelled, ...lines.slice(6)]), 0, false).failed).toMatchObject({ index: 5 });
    const loose = Buffer.from('{"type": "CallRequested"}');
    expect(checkChunk(chunkOf([line(0, loose)]), 0, true).failed).toMatchObject({ index: 0, reason: expect.stringMatching(/canonical/) });
  });
});
