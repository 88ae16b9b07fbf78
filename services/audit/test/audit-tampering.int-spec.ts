import { randomUUID } from 'node:crypto';
import { Topics } from '@homeline/contracts';
import { eventually } from '@homeline/testing';
import { CompactRange, MemoryTree, canonicalBytes, hashLeaf, verifyInclusion } from '@homeline/tlog';
import { Client } from 'pg';
import { accountOpened, callEvent, startAuditHarness, type AuditHarness } from './audit-harness';

interface Page { entries: Array<{ index: number; type: string; leafHash: string; envelope: { data: Record<string, unknown> } }> }
const b64 = (s: string) => Buffer.from(s, 'base64');

/**
 * What a database superuser who changes the log behind the service's back gets from it: no
 * signature over the changed tree, no proof of a changed row, and no erasure the log does not show.
 * Each test leaves the log altered, so each runs on a log of its own.
 */
describe('the audit log, altered by a database superuser', () => {
  let h: AuditHarness;
  let db: Client;

  beforeEach(async () => {
    h = await startAuditHarness();
    db = new Client({ connectionString: h.databaseUrl });
    await db.connect();
  });
  afterEach(async () => {
    await db?.end();
    await h?.stop();
  });

  const entries = (query: Record<string, string>) => h.json<Page>(`/v1/audit/entries?${new URLSearchParams(query)}`);
  const refusals = async () => Number(/^audit_integration_refusals_total(?:\{[^}]*\})? (\S+)$/m.exec(await (await fetch(`${h.replicas[0].base}/metrics`)).text())?.[1]);
  /** A connected call's two entries, in a signed checkpoint; the index of its CallConnected. */
  const connectedCall = async () => {
    const callId = randomUUID();
    await h.publish(Topics.calls, callEvent(callId, 'CallRequested', { deviceId: 'dev-x', target: 'Mom' }), callEvent(callId, 'CallConnected'));
    await eventually(async () => expect((await entries({ callId })).entries).toHaveLength(2));
    const index = (await entries({ callId, type: 'CallConnected' })).entries[0].index;
    const checkpoint = await eventually(async () => {
      const c = await h.checkpoint();
      expect(c.size).toBeGreaterThan(index);
      return c;
    });
    return { callId, index, checkpoint };
  };
  const asSuperuser = async (statements: (db: Client) => Promise<void>) => {
    await db.query('BEGIN');
    // The head's lock first, as the integrator takes it: keeps it away while the tree is rewritten, and
    // the tables' locks (ALTER TABLE) taken before it deadlocked with an integration holding the head.
    await db.query(`SELECT 1 FROM audit_tree_head WHERE id = 0 FOR UPDATE`);
    await db.query('ALTER TABLE audit_log_entries DISABLE TRIGGER audit_log_entries_append_only');
    await db.query('ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only');
    await statements(db);
    await db.query('ALTER TABLE audit_log_entries ENABLE TRIGGER audit_log_entries_append_only');
    await db.query('ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_append_only');
    await db.query('COMMIT');
  };

  it('signs nothing over a tree rewritten with its tiles and head and its checkpoints deleted, and its self-check says so', async () => {
    const { callId, index } = await connectedCall();
    await asSuperuser(async () => {
      const [{ size }] = (await db.query(`SELECT size::int AS size FROM audit_tree_head WHERE id = 0`)).rows;
      const leaves: Buffer[] = (await db.query(`SELECT leaf FROM audit_log_entries WHERE index < $1 ORDER BY index`, [size])).rows.map((r: { leaf: Buffer }) => r.leaf);
      const entry = JSON.parse(leaves[index].toString('utf8'));
      entry.event.type = 'CallRejected';
      leaves[index] = canonicalBytes(entry);
      await db.query(`UPDATE audit_log_entries SET leaf = $2, type = 'CallRejected' WHERE index = $1`, [index, leaves[index]]);
      const tree = MemoryTree.of(leaves);
      for (const t of (await db.query(`SELECT level, index, length(hashes) / 32 AS n FROM audit_tiles`)).rows as Array<{ level: number; index: string; n: number }>) {
        const hashes = Array.from({ length: t.n }, (_, i) => tree.nodeHash({ level: 8 * t.level, index: Number(t.index) * 256 + i }));
        await db.query(`UPDATE audit_tiles SET hashes = $3 WHERE level = $1 AND index = $2`, [t.level, t.index, Buffer.concat(hashes)]);
      }
      const edge = new CompactRange();
      for (const leaf of leaves) edge.append(hashLeaf(leaf));
      await db.query(`UPDATE audit_tree_head SET root = $1, edge = $2 WHERE id = 0`, [edge.root(), Buffer.concat([...edge.hashes])]);
      await db.query(`DELETE FROM audit_checkpoints`);
    });

    const before = await refusals();
    const next = callEvent(randomUUID(), 'CallRequested', { deviceId: 'dev-y' });
    await h.publish(Topics.calls, next);
    // The event arrived (staged) and the integrator tried it, and refused.
    await eventually(async () => {
      expect((await db.query(`SELECT 1 FROM audit_staged WHERE event_id = $1`, [next.id])).rowCount).toBe(1);
      expect(await refusals()).toBeGreaterThan(before);
    });
    expect(await h.get('/v1/audit/checkpoint')).toMatchObject({ status: 400 }); // no_checkpoint: nothing signed since
    expect((await db.query(`SELECT count(*)::int AS n FROM audit_checkpoints`)).rows[0].n).toBe(0);
    expect((await entries({ callId })).entries.map((e) => e.type)).toEqual(['CallRequested', 'CallRejected']);
    const report = await h.json<{ ok: boolean; problems: string[] }>('/v1/audit/self-check');
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(expect.arrayContaining([expect.stringMatching(/no checkpoint: its checkpoints were deleted/)]));
  });

  it('refuses, on a replica that signed a larger tree, to sign a fork grown on a cut-back log by a replica started after the cut', async () => {
    const refusalsOf = async (base: string) => Number(/^audit_integration_refusals_total(?:\{[^}]*\})? (\S+)$/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1]);
    const integratedBy = async (base: string) => Number(/^audit_entries_integrated_total(?:\{[^}]*\})? (\S+)$/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1]);
    const first = h.replicas[0];
    // Replica one signs a tree of some entries; the superuser keeps the first checkpoint's and cuts the log back to it.
    await connectedCall();
    const [{ size: cut }] = (await db.query(`SELECT min(tree_size)::int AS size FROM audit_checkpoints WHERE tree_size > 0`)).rows;
    await connectedCall();
    const signed = (await h.checkpoint()).size;
    expect(signed).toBeGreaterThan(cut);
    await asSuperuser(async () => {
      const leaves: Buffer[] = (await db.query(`SELECT leaf FROM audit_log_entries WHERE index < $1 ORDER BY index`, [cut])).rows.map((r: { leaf: Buffer }) => r.leaf);
      const tree = MemoryTree.of(leaves);
      for (const t of (await db.query(`SELECT level, index FROM audit_tiles`)).rows as Array<{ level: number; index: string }>) {
        const width = 256 ** t.level;
        const n = Math.min(256, Math.max(0, Math.floor(cut / width) - Number(t.index) * 256));
        if (n === 0) await db.query(`DELETE FROM audit_tiles WHERE level = $1 AND index = $2`, [t.level, t.index]);
        else await db.query(`UPDATE audit_tiles SET hashes = $3 WHERE level = $1 AND index = $2`, [t.level, t.index,
          Buffer.concat(Array.from({ length: n }, (_, i) => tree.nodeHash({ level: 8 * t.level, index: Number(t.index) * 256 + i })))]);
      }
      const edge = new CompactRange();
      for (const leaf of leaves) edge.append(hashLeaf(leaf));
      await db.query(`UPDATE audit_tree_head SET size = $1, root = $2, edge = $3 WHERE id = 0`, [cut, edge.root(), Buffer.concat([...edge.hashes])]);
      await db.query('ALTER TABLE audit_entry_mentions DISABLE TRIGGER audit_entry_mentions_append_only');
      await db.query(`DELETE FROM audit_entry_mentions WHERE index >= $1`, [cut]);
      await db.query('ALTER TABLE audit_entry_mentions ENABLE TRIGGER audit_entry_mentions_append_only');
      await db.query(`DELETE FROM audit_log_entries WHERE index >= $1`, [cut]);
      await db.query(`DELETE FROM audit_checkpoints WHERE tree_size > $1`, [cut]);
    });
    // A second replica, started now, finds the cut log signed at its size, and grows a fork on it past what replica one signed.
    const second = await h.addReplica();
    const refusedBefore = await refusalsOf(first.base);
    const integratedBefore = await integratedBy(first.base);
    await h.publish(Topics.calls, ...Array.from({ length: signed - cut + 20 }, () => callEvent(randomUUID(), 'CallRequested', { deviceId: 'dev-fork' })));
    await eventually(async () => {
      const [{ size }] = (await db.query(`SELECT size::int AS size FROM audit_tree_head WHERE id = 0`)).rows;
      expect(size).toBeGreaterThan(signed);
      expect(await refusalsOf(first.base)).toBeGreaterThan(refusedBefore);
    });
    // Replica one tried once the fork was larger than its tree (its own staged entries wake it), and signed none of it.
    await h.publish(Topics.calls, ...Array.from({ length: 20 }, () => callEvent(randomUUID(), 'CallRequested', { deviceId: 'dev-fork-2' })));
    const refusedOnce = await refusalsOf(first.base);
    await eventually(async () => expect(await refusalsOf(first.base)).toBeGreaterThan(refusedOnce));
    expect(await integratedBy(first.base)).toBe(integratedBefore);
    expect(await integratedBy(second.base)).toBeGreaterThan(0);
  });

  it('shows each entry with the leaf hash its proof proves, and proves no row changed behind its back', async () => {
    const { callId, index, checkpoint } = await connectedCall();
    const [requested] = (await entries({ callId, type: 'CallRequested' })).entries;
    const proof = await h.json<{ leafHash: string; hashes: string[] }>(`/v1/audit/entries/${requested.index}/proof?treeSize=${checkpoint.size}`);
    expect(proof.leafHash).toBe(requested.leafHash);
    expect(() => verifyInclusion(requested.index, checkpoint.size, b64(proof.leafHash), proof.hashes.map(b64), checkpoint.rootHash)).not.toThrow();

    await asSuperuser(async () => {
      await db.query(
        `UPDATE audit_log_entries SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), '"CallConnected"', '"CallRejected"'), 'UTF8'), type = 'CallRejected' WHERE index = $1`,
        [index],
      );
    });
    const shown = (await entries({ callId })).entries.find((e) => e.index === index)!;
    expect(shown.type).toBe('CallRejected');
    const refused = await h.get(`/v1/audit/entries/${index}/proof?treeSize=${checkpoint.size}`);
    expect(refused.status).toBe(500);
    expect(await refused.json()).toMatchObject({ code: 'log_integrity', detail: expect.stringMatching(new RegExp(`entry ${index} is not the leaf the signed tree holds`)) });
  });

  it('destroys no key of an erasure whose entry cannot be recorded: the erasure and its entry commit together', async () => {
    const accountId = randomUUID();
    await h.publish(Topics.identity, accountOpened(accountId, '+15550100777'));
    await eventually(async () => expect((await entries({ accountId })).entries).toHaveLength(1));
    // The log cannot take the erasure's entry (a full disk, a dropped connection would do as well).
    await db.query(`CREATE FUNCTION refuse_erasure_entry() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'disk full'; END $$`);
    await db.query(`CREATE TRIGGER refuse_erasure_entry BEFORE INSERT ON audit_staged FOR EACH ROW
      WHEN (NEW.type = 'AuditAccountErased') EXECUTE FUNCTION refuse_erasure_entry()`);
    expect((await h.post('/v1/audit/erasures', { accountId, reason: 'GDPR request 7' })).status).toBe(500);
    const key = await db.query(`SELECT wrapped_key IS NOT NULL AS live FROM audit_data_keys WHERE scope = 'account:' || $1`, [accountId]);
    expect(key.rows).toEqual([{ live: true }]);
    expect((await db.query(`SELECT 1 FROM audit_erasures WHERE account_id = $1`, [accountId])).rowCount).toBe(0);
    expect((await entries({ accountId })).entries[0].envelope.data.msisdn).toBe('+15550100777');

    await db.query(`DROP TRIGGER refuse_erasure_entry ON audit_staged`);
    expect((await h.post('/v1/audit/erasures', { accountId, reason: 'GDPR request 7' })).status).toBe(201);
    await eventually(async () => expect((await entries({ type: 'AuditAccountErased' })).entries).toHaveLength(1));
    expect((await entries({ accountId })).entries[0].envelope.data.msisdn).toBe('[erased]');
  });
});
