import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHousehold, spokenRequest, type Household } from '../src/household';
import { startSystem, type RunningSystem } from '../src/running-system';
import { eventually } from '@homeline/testing';
import { openCheckpoint, parseVerifierKey, verifyConsistency, verifyInclusion, type Checkpoint, type NoteVerifier } from '@homeline/tlog';
import { Client } from 'pg';

/**
 * The audit as a compliance team and a regulator use it, with the four services running as
 * processes: calls are placed, their entries proven included in a checkpoint signed by the pinned
 * key, two checkpoints proven consistent, an export checked by the offline verifier (and a tampered
 * one refused with its index), an account erased, and a row changed behind the service's back
 * found by its self-check.
 */
const root = resolve(__dirname, '..', '..', '..');
const b64 = (s: string) => Buffer.from(s, 'base64');

interface Entry { index: number; type: string; callId: string | null; envelope: { data: Record<string, unknown> } }

describe('the audit log of a running system', () => {
  let system: RunningSystem;
  let home: Household;
  let key: NoteVerifier;
  const dir = mkdtempSync(join(tmpdir(), 'audit-e2e-'));

  beforeAll(async () => {
    system = await startSystem();
    key = parseVerifierKey(system.auditVerifierKey);
    home = await createHousehold(system.client);
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const audit = <T>(path: string) => system.client.request<T>('audit', 'GET', path);
  const rawAudit = (path: string) => fetch(`${system.endpoints.audit}${path}`, { headers: { authorization: `Bearer ${system.credentials.complianceToken}` } });
  const checkpoint = async (): Promise<Checkpoint & { note: string }> => {
    const note = await (await rawAudit('/v1/audit/checkpoint')).text();
    return { ...openCheckpoint(note, key), note };
  };
  const callEntries = (callId: string) => audit<{ entries: Entry[] }>(`/v1/audit/entries?callId=${callId}`).then((p) => p.entries);
  /**
   * Runs the offline verifier as a regulator would. Not with spawnSync: a test process blocked for
   * the seconds npm takes misses its idle keep-alive sockets being closed by the services, and the
   * next request on one fails ("other side closed").
   */
  const cli = (...args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((done, fail) => {
      const run = spawn('npm', ['run', '--silent', 'audit:verify', '--', ...args], { cwd: root });
      let out = '';
      let err = '';
      run.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      run.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      run.once('error', fail);
      run.once('close', (code) => done({ code, out: out.trim(), err: err.trim() }));
    });

  const placeConnectedCall = async () => {
    const { callId } = await system.client.placeCall(spokenRequest(home, home.members.Alex.voice, 'Mom'));
    await system.client.waitForCall(callId, ['connected']);
    await system.client.hangUp(callId);
    return callId;
  };

  /** The call's entries once all of them are in a signed checkpoint. */
  const integratedEntries = async (callId: string) =>
    eventually(async () => {
      const entries = await callEntries(callId);
      expect(entries.map((e) => e.type)).toEqual(expect.arrayContaining(['CallRequested', 'SpeakerVerified', 'DestinationResolved', 'CallConnected', 'CallEnded']));
      const signed = await checkpoint();
      expect(signed.size).toBeGreaterThan(Math.max(...entries.map((e) => e.index)));
      return { entries, signed };
    }, { timeoutMs: 30_000 });

  it("finds a call's whole history by its account, how it ended included", async () => {
    const callId = await placeConnectedCall();
    await integratedEntries(callId);
    const byAccount = await audit<{ entries: Entry[] }>(`/v1/audit/entries?accountId=${home.accountId}&callId=${callId}`);
    // CallRequested names no account (identity has not answered yet); from CallRouting on, every event does.
    expect(byAccount.entries.map((e) => e.type)).toEqual(expect.arrayContaining(['CallRouting', 'CallConnected', 'CallEnded']));
  });

  it('proves each entry of a call included in a checkpoint signed by the pinned key, and two checkpoints consistent', async () => {
    const callId = await placeConnectedCall();
    const { entries, signed: first } = await integratedEntries(callId);
    for (const entry of entries) {
      const proof = await audit<{ leafHash: string; hashes: string[] }>(`/v1/audit/entries/${entry.index}/proof?treeSize=${first.size}`);
      expect(() => verifyInclusion(entry.index, first.size, b64(proof.leafHash), proof.hashes.map(b64), first.rootHash)).not.toThrow();
    }
    const { signed: second } = await integratedEntries(await placeConnectedCall());
    const consistency = await audit<{ hashes: string[] }>(`/v1/audit/consistency?from=${first.size}&to=${second.size}`);
    expect(() => verifyConsistency(first.size, second.size, consistency.hashes.map(b64), first.rootHash, second.rootHash)).not.toThrow();
    const proofFile = join(dir, 'consistency.json');
    writeFileSync(proofFile, JSON.stringify(consistency));
    writeFileSync(join(dir, 'first.txt'), first.note);
    writeFileSync(join(dir, 'second.txt'), second.note);
    writeFileSync(join(dir, 'audit.vkey'), `${system.auditVerifierKey}\n`);
    expect(await cli('--checkpoint', join(dir, 'second.txt'), '--previous', join(dir, 'first.txt'), '--consistency', proofFile, '--key', join(dir, 'audit.vkey')))
      .toMatchObject({ code: 0, out: `checkpoint of size ${second.size} is consistent with checkpoint of size ${first.size}` });
  });

  it('exports a log the offline verifier checks, and names the index of a tampered line', async () => {
    const signed = await checkpoint();
    const lines = (await (await rawAudit(`/v1/audit/export?from=0&to=${signed.size}`)).text()).trimEnd().split('\n');
    expect(lines).toHaveLength(signed.size);
    writeFileSync(join(dir, 'checkpoint.txt'), signed.note);
    writeFileSync(join(dir, 'audit.vkey'), `${system.auditVerifierKey}\n`);
    writeFileSync(join(dir, 'export.ndjson'), `${lines.join('\n')}\n`);
    expect(await cli('--export', join(dir, 'export.ndjson'), '--checkpoint', join(dir, 'checkpoint.txt'), '--key', join(dir, 'audit.vkey')))
      .toEqual({ code: 0, out: `verified ${signed.size} entries against checkpoint of size ${signed.size}`, err: '' });
    const victim = lines.findIndex((l) => l.includes('"type":"CallConnected"'));
    const tampered = lines.map((l, i) => (i === victim ? l.replace('"type":"CallConnected"', '"type":"CallRejected"') : l));
    writeFileSync(join(dir, 'tampered.ndjson'), `${tampered.join('\n')}\n`);
    const refused = await cli('--export', join(dir, 'tampered.ndjson'), '--checkpoint', join(dir, 'checkpoint.txt'), '--key', join(dir, 'audit.vkey'));
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`entry ${victim} does not verify`);
  });

  it('erases an account: its data reads "[erased]" and the proofs of its entries still verify', async () => {
    const callId = await placeConnectedCall();
    const { entries } = await integratedEntries(callId);
    expect(entries.find((e) => e.type === 'CallRequested')?.envelope.data).toMatchObject({ target: 'Mom' });
    const response = await fetch(`${system.endpoints.audit}/v1/audit/erasures`, {
      method: 'POST', headers: { authorization: `Bearer ${system.credentials.complianceToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ accountId: home.accountId, reason: 'erasure request #1' }),
    });
    expect(response.status).toBe(201);
    const after = await callEntries(callId);
    expect(after.find((e) => e.type === 'CallRequested')?.envelope.data).toMatchObject({ target: '[erased]', voice: expect.objectContaining({ subject: '[erased]', embedding: '[erased]' }) });
    expect(after.find((e) => e.type === 'CallConnected')?.envelope.data).toMatchObject({ e164: '[erased]' });
    const signed = await checkpoint();
    for (const entry of after) {
      const proof = await audit<{ leafHash: string; hashes: string[] }>(`/v1/audit/entries/${entry.index}/proof?treeSize=${signed.size}`);
      expect(() => verifyInclusion(entry.index, signed.size, b64(proof.leafHash), proof.hashes.map(b64), signed.rootHash)).not.toThrow();
    }
  });

  it('finds, in its own consistency check, a row a superuser changed with the trigger disabled', async () => {
    expect(await audit('/v1/audit/self-check')).toMatchObject({ ok: true, firstBadIndex: null });
    const [victim] = (await audit<{ entries: Entry[] }>('/v1/audit/entries?type=CallEnded&limit=1')).entries;
    const db = new Client({ connectionString: system.auditDatabaseUrl });
    await db.connect();
    try {
      await db.query('BEGIN');
      await db.query('ALTER TABLE audit_log_entries DISABLE TRIGGER audit_log_entries_append_only');
      await db.query(`UPDATE audit_log_entries SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), '"hung_up"', '"dropped"'), 'UTF8') WHERE index = $1`, [victim.index]);
      await db.query('ALTER TABLE audit_log_entries ENABLE TRIGGER audit_log_entries_append_only');
      await db.query('COMMIT');
    } finally {
      await db.end();
    }
    expect(await audit('/v1/audit/self-check')).toMatchObject({ ok: false, firstBadIndex: victim.index });
  });
});
