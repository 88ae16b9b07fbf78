import { randomBytes, randomUUID } from 'node:crypto';
import { Topics } from '@homeline/contracts';
import { eventually } from '@homeline/testing';
import { ExportVerifier, formatSignerKey, openCheckpoint, parseSignerKey, verifyInclusion } from '@homeline/tlog';
import { Client } from 'pg';
import { accountOpened, callEvent, origin, startAuditHarness, type AuditHarness } from './audit-harness';

interface Page { entries: Array<{ index: number; type: string; envelope: { data: Record<string, unknown> } }>; nextCursor: string | null }
interface Proof { leafHash: string; hashes: string[] }
const b64 = (s: string) => Buffer.from(s, 'base64');

/** Two replicas on one database; erasure; the export; the self-check catching a row changed behind the service's back. */
describe('the audit log, with two replicas', () => {
  let h: AuditHarness;

  beforeAll(async () => {
    h = await startAuditHarness();
    await h.addReplica();
  });
  afterAll(() => h?.stop());

  const entries = (query: Record<string, string>) => h.json<Page>(`/v1/audit/entries?${new URLSearchParams(query)}`);
  const exportLines = async (to: number) => (await (await h.get(`/v1/audit/export?from=0&to=${to}`)).text()).trimEnd().split('\n');

  const metrics = async (base: string) => (await fetch(`${base}/metrics`)).text();
  /** A gauge's value on a replica's /metrics (undefined: the metric is not there). */
  const gauge = (text: string, name: string) => {
    const value = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1];
    return value === undefined ? undefined : Number(value);
  };

  it("shows the tree's size after each batch, and no self-check verdict before a self-check has run", async () => {
    const before = await Promise.all(h.replicas.map(async (r) => metrics(r.base)));
    // An alert on audit_self_check_ok == 0 must not fire at start, before any check said anything.
    expect(before.map((text) => [gauge(text, 'audit_self_check_ok'), gauge(text, 'audit_self_check_first_bad_index')])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
    ]);
    await h.publish(Topics.calls, callEvent(randomUUID(), 'CallRequested', { deviceId: 'dev-size' }));
    await eventually(async () => {
      const { size } = await h.checkpoint();
      const sizes = await Promise.all(h.replicas.map(async (r) => gauge(await metrics(r.base), 'audit_tree_size') ?? 0));
      expect(size).toBeGreaterThan(0);
      expect(Math.max(...sizes)).toBe(size);
    });
    await h.json('/v1/audit/self-check');
    expect(gauge(await metrics(h.replicas[0].base), 'audit_self_check_ok')).toBe(1);
  });

  it('sequences entries from both replicas gap-free, each event once, into one tree the export rebuilds', async () => {
    const calls = Array.from({ length: 30 }, () => randomUUID());
    const events = calls.flatMap((callId) => ['CallRequested', 'CallRouting', 'CallRouted', 'CallConnected'].map((t) => callEvent(callId, t, { deviceId: `dev-${callId}` })));
    for (let i = 0; i < events.length; i += 20) await h.publish(Topics.calls, ...events.slice(i, i + 20));
    await h.publish(Topics.calls, ...events.slice(0, 10)); // redelivered
    const db = new Client({ connectionString: h.databaseUrl });
    await db.connect();
    try {
      await eventually(async () => {
        const [{ count }] = (await db.query(`SELECT count(*)::int AS count FROM audit_log_entries WHERE type LIKE 'Call%' AND call_id = ANY($1)`, [calls])).rows;
        expect(count).toBe(events.length);
      }, { timeoutMs: 60_000 });
      const [{ n, max, distinct }] = (await db.query(`SELECT count(*)::int AS n, max(index)::int AS max, count(DISTINCT event_id)::int AS distinct FROM audit_log_entries`)).rows;
      expect({ n, distinct }).toEqual({ n: max + 1, distinct: n });
    } finally {
      await db.end();
    }
    const checkpoint = await eventually(async () => {
      const c = await h.checkpoint();
      expect(c.size).toBeGreaterThanOrEqual(events.length);
      return c;
    });
    const verifier = new ExportVerifier();
    for (const line of await exportLines(checkpoint.size)) verifier.add(line);
    expect(verifier.finish(checkpoint)).toEqual({ ok: true, size: checkpoint.size });
    // Either replica serves the same checkpoint and valid proofs.
    const other = await (await h.get('/v1/audit/checkpoint', undefined, h.replicas[1].base)).text();
    expect(Number(other.split('\n')[1])).toBeGreaterThanOrEqual(checkpoint.size);
  });

  it('erases an account by deleting its key: its data reads "[erased]", later events too, and every proof still verifies', async () => {
    const accountId = randomUUID();
    const callId = randomUUID();
    await h.publish(Topics.identity, accountOpened(accountId, '+15551239876'));
    await h.publish(Topics.calls, callEvent(callId, 'CallRequested', { deviceId: 'dev-e', target: 'Mom' }, accountId));
    // Two topics: the audit records them in the order its fetch took them, which need not be the order sent.
    const before = await eventually(async () => {
      const p = await entries({ accountId });
      expect(p.entries.map((e) => e.type).sort()).toEqual(['AccountOpened', 'CallRequested']);
      return p;
    });
    const entryOf = (page: typeof before, type: string) => page.entries.find((e) => e.type === type)!;
    const checkpointBefore = await eventually(async () => {
      const c = await h.checkpoint();
      expect(c.size).toBeGreaterThan(Math.max(...before.entries.map((e) => e.index)));
      return c;
    });
    const linesBefore = await exportLines(checkpointBefore.size);

    const mistyped = await h.post('/v1/audit/erasures', { accountId: `${accountId}x`, reason: 'GDPR art. 17 request #4711' });
    expect({ status: mistyped.status, code: ((await mistyped.json()) as { code: string }).code }).toEqual({ status: 404, code: 'unknown_account' });
    const erased = await h.post('/v1/audit/erasures', { accountId, reason: 'GDPR art. 17 request #4711' });
    expect(erased.status).toBe(201);
    const again = await h.post('/v1/audit/erasures', { accountId, reason: 'GDPR art. 17 request #4711, again' });
    expect(again.status).toBe(201); // an erased account is still one the log held

    const after = await entries({ accountId });
    expect(entryOf(after, 'AccountOpened').envelope.data).toMatchObject({ accountId, msisdn: '[erased]', displayName: '[erased]', address: '[erased]', timezone: 'America/New_York' });
    expect(entryOf(after, 'CallRequested').envelope.data).toMatchObject({ callId, deviceId: 'dev-e', target: '[erased]' });
    await h.publish(Topics.calls, callEvent(callId, 'CallRouted', { e164: '+15550100001', class: 'domestic' }, accountId));
    await eventually(async () => {
      const late = (await entries({ accountId, type: 'CallRouted' })).entries;
      expect(late).toHaveLength(1);
      expect(late[0].envelope.data).toMatchObject({ e164: '[erased]', class: 'domestic' });
    });
    expect((await entries({ accountId, type: 'AuditAccountErased' })).entries[0].envelope.data).toMatchObject({ accountId, reason: 'GDPR art. 17 request #4711' });

    // An account whose events have not reached the audit yet is erased ahead of them when asked to be.
    const ahead = randomUUID();
    expect((await h.post('/v1/audit/erasures', { accountId: ahead, reason: 'GDPR art. 17 request #4712', force: true })).status).toBe(201);
    await h.publish(Topics.identity, accountOpened(ahead, '+15551239877'));
    await eventually(async () => {
      const [opened] = (await entries({ accountId: ahead, type: 'AccountOpened' })).entries;
      expect(opened.envelope.data).toMatchObject({ accountId: ahead, msisdn: '[erased]', displayName: '[erased]' });
    });

    // The leaves did not change: the old export is still a prefix of the new one, and proofs verify.
    const checkpointAfter = await h.checkpoint();
    expect((await exportLines(checkpointBefore.size))).toEqual(linesBefore);
    for (const entry of before.entries) {
      const proof = await h.json<Proof>(`/v1/audit/entries/${entry.index}/proof?treeSize=${checkpointAfter.size}`);
      expect(() => verifyInclusion(entry.index, checkpointAfter.size, b64(proof.leafHash), proof.hashes.map(b64), checkpointAfter.rootHash)).not.toThrow();
    }
  });

  it('after a signing-key rotation, signs the current tree with the new key once told the previous key, and checks the old checkpoints with it', async () => {
    // Every replica restarts with the new key (the later tests go on with it).
    for (const replica of h.replicas.splice(0)) await replica.app.app.close();
    const rotatedKey = formatSignerKey(origin, randomBytes(32));
    await h.addReplica({ AUDIT_SIGNING_KEY: rotatedKey });
    // Not told the previous key, it cannot tell the old checkpoints from forged ones: it signs nothing over them.
    expect(openCheckpoint(await (await h.get('/v1/audit/checkpoint')).text(), h.verifier, origin).size).toBeGreaterThan(0);
    const blind = await h.json<{ ok: boolean; problems: string[] }>('/v1/audit/self-check');
    expect(blind.ok).toBe(false);
    expect(blind.problems[0]).toMatch(/signed by no key the audit knows/);
    for (const replica of h.replicas.splice(0)) await replica.app.app.close();
    await h.addReplica({ AUDIT_SIGNING_KEY: rotatedKey, AUDIT_PREVIOUS_VERIFIER_KEYS: h.verifier.text });
    const note = await (await h.get('/v1/audit/checkpoint')).text();
    expect(openCheckpoint(note, parseSignerKey(rotatedKey).verifier, origin).size).toBeGreaterThan(0);
    expect(await h.json('/v1/audit/self-check')).toMatchObject({ ok: true, firstBadIndex: null });
  });

  it('reports, in its own self-check, the index of a row a superuser changed with the trigger disabled', async () => {
    // Past 256 entries the tree stores a node over entries 0-255, which the change alters too: the
    // report still names the entry, not the first entry under that node.
    const filler = randomUUID();
    await h.publish(Topics.calls, ...Array.from({ length: 300 }, (_, i) => callEvent(filler, 'CallRequested', { deviceId: `dev-${i}`, target: 'Mom' })));
    // Signed with the rotated key since the test before: read the size off the note.
    await eventually(async () => expect(Number((await (await h.get('/v1/audit/checkpoint')).text()).split('\n')[1])).toBeGreaterThanOrEqual(300));
    const clean = await h.json<{ ok: boolean; firstBadIndex: number | null; problems: string[] }>('/v1/audit/self-check');
    expect(clean).toMatchObject({ ok: true, firstBadIndex: null, problems: [] });
    const target = (await entries({ type: 'CallConnected', limit: '1' })).entries[0].index;
    const db = new Client({ connectionString: h.databaseUrl });
    await db.connect();
    try {
      await db.query('BEGIN');
      await db.query('ALTER TABLE audit_log_entries DISABLE TRIGGER audit_log_entries_append_only');
      await db.query(`UPDATE audit_log_entries SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), 'CallConnected', 'CallRejected'), 'UTF8'), type = 'CallRejected' WHERE index = $1`, [target]);
      await db.query('ALTER TABLE audit_log_entries ENABLE TRIGGER audit_log_entries_append_only');
      await db.query('COMMIT');
    } finally {
      await db.end();
    }
    const report = await h.json<{ ok: boolean; firstBadIndex: number; problems: string[] }>('/v1/audit/self-check');
    expect(report).toMatchObject({ ok: false, firstBadIndex: target });
    expect(report.problems[0]).toMatch(new RegExp(`entry ${target}: its leaf hash differs`));
    const metrics = await (await fetch(`${h.replicas[0].base}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`audit_self_check_first_bad_index(\\{[^}]*\\})? ${target}\\n`));
  });

  it('reports a checkpoint whose signature line was swapped for one naming a key it does not know', async () => {
    // What a superuser rewriting leaves, tiles and notes would have to do: the notes cannot be signed with the real key.
    const db = new Client({ connectionString: h.databaseUrl });
    await db.connect();
    let size: number;
    try {
      [{ size }] = (await db.query(`SELECT max(tree_size)::int AS size FROM audit_checkpoints`)).rows;
      await db.query('BEGIN');
      await db.query('ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only');
      await db.query(
        `UPDATE audit_checkpoints SET note = regexp_replace(note, E'\u2014 [^\n]*\n$', E'\u2014 someone.else/audit AAAAAAAAAAAAAAAA\n') WHERE tree_size = $1`,
        [size],
      );
      await db.query('ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_append_only');
      await db.query('COMMIT');
    } finally {
      await db.end();
    }
    const report = await h.json<{ ok: boolean; problems: string[] }>('/v1/audit/self-check');
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(expect.arrayContaining([`checkpoint of size ${size!}: signed by no key the audit knows (its signing key, AUDIT_PREVIOUS_VERIFIER_KEYS)`]));
  });
});
