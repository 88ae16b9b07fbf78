import { randomUUID } from 'node:crypto';
import { Topics, type Envelope } from '@homeline/contracts';
import { eventually } from '@homeline/testing';
import { hashLeaf, verifyConsistency, verifyInclusion } from '@homeline/tlog';
import { DataSource } from 'typeorm';
import type { AuditStore } from '../src/application/ports';
import { AuditEntryMentions1765600000000 } from '../src/edges/sql/audit-mentions.migration';
import { accountOpened, callEvent, startAuditHarness, type AuditHarness } from './audit-harness';

interface Page { entries: Array<{ index: number; type: string; eventId: string; deviceId: string | null; receivedAt: string; envelope: { data: Record<string, unknown> } }>; nextCursor: string | null }
interface Proof { index: number; treeSize: number; leafHash: string; hashes: string[] }

const b64 = (s: string) => Buffer.from(s, 'base64');

describe('the audit log', () => {
  let h: AuditHarness;

  beforeAll(async () => {
    h = await startAuditHarness();
  });
  afterAll(() => h?.stop());

  const entries = (query: Record<string, string>) => h.json<Page>(`/v1/audit/entries?${new URLSearchParams(query)}`);
  const db = () => h.replicas[0].app.app.get(DataSource);

  it('records an event delivered twice as one entry, with its index, and proves its inclusion in the signed checkpoint', async () => {
    const callId = randomUUID();
    const event = callEvent(callId, 'CallRequested', { deviceId: 'dev-1', target: 'Mom' });
    await h.publish(Topics.calls, event, event);
    await h.publish(Topics.calls, callEvent(callId, 'CallRejected', { reason: 'not_permitted' }));
    const page = await eventually(async () => {
      const p = await entries({ callId });
      expect(p.entries.map((e) => e.type)).toEqual(['CallRequested', 'CallRejected']);
      return p;
    });
    expect(page.entries[0]).toMatchObject({ eventId: event.id, deviceId: 'dev-1', envelope: { data: { target: 'Mom' } } });
    const checkpoint = await eventually(async () => {
      const c = await h.checkpoint();
      expect(c.size).toBeGreaterThan(page.entries[1].index);
      return c;
    });
    for (const entry of page.entries) {
      const proof = await h.json<Proof>(`/v1/audit/entries/${entry.index}/proof?treeSize=${checkpoint.size}`);
      expect(() => verifyInclusion(entry.index, checkpoint.size, b64(proof.leafHash), proof.hashes.map(b64), checkpoint.rootHash)).not.toThrow();
      const [row] = await db().query(`SELECT leaf FROM audit_log_entries WHERE index = $1`, [entry.index]);
      expect(hashLeaf(row.leaf).equals(b64(proof.leafHash))).toBe(true);
    }
  });

  it('takes events that come one by one in batches, as it waits for more before its next fetch (AUDIT_FETCH_WAIT_MS)', async () => {
    const callId = randomUUID();
    const first = callEvent(callId, 'CallRequested', { deviceId: 'dev-first', target: 'Mom' });
    await h.publish(Topics.calls, first);
    await eventually(async () => expect((await entries({ callId })).entries).toHaveLength(1)); // the consumer is running
    // Sixteen messages, each its own produce request, to one partition, ~2 ms apart. Were each fetch answered
    // at once, most would be staged on their own (receivedAt is taken once per batch): here 12 batches
    // without the wait, 2 with it. With it, a batch per 100 ms (the default wait) of publishing at most,
    // however slowly a busy machine publishes them.
    const publishing = Date.now();
    for (let i = 0; i < 16; i++) {
      await h.publish(Topics.calls, callEvent(callId, 'CallRequested', { deviceId: `dev-${i}`, target: 'Mom' }));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const atMost = Math.ceil((Date.now() - publishing) / 100) + 2;
    const page = await eventually(async () => {
      const p = await entries({ callId });
      expect(p.entries).toHaveLength(17);
      return p;
    });
    expect(new Set(page.entries.slice(1).map((e) => e.receivedAt)).size).toBeLessThanOrEqual(atMost);
  });

  it('lets an idle audit sleep: one long-polling fetch a second, not one per AUDIT_FETCH_WAIT_MS', async () => {
    const fetches = async () => {
      const metrics = await (await fetch(`${h.replicas[0].base}/metrics`)).text();
      return Number(/^homeline_consumer_fetches_total\{consumer="homeline-audit-log"[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? NaN);
    };
    const callId = randomUUID();
    await h.publish(Topics.calls, callEvent(callId, 'CallRequested', { deviceId: 'dev-idle' }));
    await eventually(async () => expect((await entries({ callId })).entries).toHaveLength(1)); // running, and nothing left to take
    const before = await fetches();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const during = (await fetches()) - before;
    // Measured here: 3 per 3 s; 30 when the wait was the fetch's own (the broker answering every 100 ms).
    expect(during).toBeGreaterThan(0);
    expect(during).toBeLessThan(10);
  });

  it('keeps numbers, names and addresses out of the leaves, and shows them to a compliance query', async () => {
    const accountId = randomUUID();
    await h.publish(Topics.identity, accountOpened(accountId, '+15551230042'));
    const page = await eventually(async () => {
      const p = await entries({ accountId, type: 'AccountOpened' });
      expect(p.entries).toHaveLength(1);
      return p;
    });
    expect(page.entries[0].envelope.data).toMatchObject({ msisdn: '+15551230042', displayName: 'The Rivera home', address: { line1: '12 Elm Street' } });
    const [row] = await db().query(`SELECT convert_from(leaf, 'UTF8') AS text FROM audit_log_entries WHERE index = $1`, [page.entries[0].index]);
    for (const secret of ['5551230042', 'Rivera', 'Elm Street', 'Springfield', '62701']) expect(row.text).not.toContain(secret);
    expect(JSON.parse(row.text).event.data.msisdn).toEqual({ $sealed: expect.any(String) });
  });

  it("seals a moved speaker's calls under the household it is in now, whatever order the households' events come in", async () => {
    const [a, b, device] = [`acc-a-${randomUUID()}`, `acc-b-${randomUUID()}`, `dev-moved-${randomUUID()}`];
    const start = Date.now() - 60_000;
    const deviceEvent = (type: 'DeviceLinked' | 'DeviceUnlinked', accountId: string, second: number): Envelope => ({
      id: randomUUID(), type, source: 'identity', streamId: `household-${accountId}`, streamVersion: 1,
      occurredAt: new Date(start + second * 1000).toISOString(), correlationId: accountId, causationId: null, accountId,
      data: type === 'DeviceLinked' ? { accountId, deviceId: device, name: 'Kitchen', publicKey: 'AAAA', location: null } : { accountId, deviceId: device },
    });
    /** A call from the device, as calls publishes it before identity answers: no account on it. */
    const callFromDevice = async () => {
      const callId = randomUUID();
      await h.publish(Topics.calls, callEvent(callId, 'CallRequested', { deviceId: device, target: 'Mom' }, null));
      await eventually(async () => expect((await entries({ callId })).entries).toHaveLength(1));
      return callId;
    };
    /** Published, and recorded: what the audit learnt from them applies to the events after. */
    const identityEvents = async (...events: Envelope[]) => {
      await h.publish(Topics.identity, ...events);
      await eventually(async () => {
        const recorded = (await entries({ deviceId: device, limit: '1000' })).entries.map((e) => e.eventId);
        expect(recorded).toEqual(expect.arrayContaining(events.map((e) => e.id)));
      });
    };
    const sealedUnder = async (callId: string) => {
      for (const accountId of [a, b]) if ((await entries({ callId, accountId })).entries.length === 1) return accountId;
      return null;
    };
    await identityEvents(deviceEvent('DeviceLinked', a, 1));
    expect(await sealedUnder(await callFromDevice())).toBe(a);
    // Moved: unlinked from a at 2 s, linked to b at 3 s (b's partition read first makes no difference).
    await identityEvents(deviceEvent('DeviceLinked', b, 3), deviceEvent('DeviceUnlinked', a, 2));
    expect(await sealedUnder(await callFromDevice())).toBe(b);
    // a's history read again (a replay of its partition): its old link is older than b's.
    await identityEvents(deviceEvent('DeviceLinked', a, 1));
    expect(await sealedUnder(await callFromDevice())).toBe(b);
  });

  it('files a call placed before its speaker moved under the household it was in then, however late the call is recorded', async () => {
    const [a, b, device] = [`acc-a-${randomUUID()}`, `acc-b-${randomUUID()}`, `dev-late-${randomUUID()}`];
    const start = Date.now() - 60_000;
    const at = (second: number) => new Date(start + second * 1000).toISOString();
    const linked = (accountId: string, second: number): Envelope => ({
      id: randomUUID(), type: 'DeviceLinked', source: 'identity', streamId: `household-${accountId}`, streamVersion: 1,
      occurredAt: at(second), correlationId: accountId, causationId: null, accountId,
      data: { accountId, deviceId: device, name: 'Kitchen', publicKey: 'AAAA', location: null },
    });
    await h.publish(Topics.identity, linked(a, 1), linked(b, 30));
    await eventually(async () => expect((await entries({ deviceId: device })).entries).toHaveLength(2));
    // Household a's call at 10 s, before the move at 30 s, as calls publishes it before identity answers
    // (no account); calls' partition lagged, and it is recorded only now. Then its end, at 40 s.
    const [before, after] = [randomUUID(), randomUUID()];
    await h.publish(Topics.calls, { ...callEvent(before, 'CallRequested', { deviceId: device, target: 'Dr Patel' }, null), occurredAt: at(10) });
    await h.publish(Topics.calls, { ...callEvent(before, 'CallEnded', { deviceId: device, duration: 5, cause: 'local_hung_up' }, null), occurredAt: at(40) });
    await h.publish(Topics.calls, { ...callEvent(after, 'CallRequested', { deviceId: device, target: 'Mom' }, null), occurredAt: at(35) });
    await eventually(async () => expect((await entries({ deviceId: device })).entries).toHaveLength(5));
    expect((await entries({ accountId: a, callId: before })).entries.map((e) => [e.type, e.envelope.data.target])).toEqual([
      ['CallRequested', 'Dr Patel'], ['CallEnded', undefined],
    ]);
    expect((await entries({ accountId: b, callId: before })).entries).toEqual([]);
    expect((await entries({ accountId: b, callId: after })).entries).toHaveLength(1);
    // Erasing a erases its call, though the speaker is b's now.
    expect((await h.post('/v1/audit/erasures', { accountId: a, reason: 'GDPR request 12' })).status).toBe(201);
    expect((await entries({ callId: before, type: 'CallRequested' })).entries[0].envelope.data.target).toBe('[erased]');
    expect((await entries({ callId: after })).entries[0].envelope.data.target).toBe('Mom');
  });

  it('files a call identity never answered under its device’s household: found by account, its data sealed with that key', async () => {
    const [accountId, device, callId] = [`acc-${randomUUID()}`, `dev-${randomUUID()}`, randomUUID()];
    const linked: Envelope = {
      id: randomUUID(), type: 'DeviceLinked', source: 'identity', streamId: `household-${accountId}`, streamVersion: 1,
      occurredAt: new Date().toISOString(), correlationId: accountId, causationId: null, accountId,
      data: { accountId, deviceId: device, name: 'Kitchen', publicKey: 'AAAA', location: null },
    };
    await h.publish(Topics.identity, linked);
    await eventually(async () => expect((await entries({ accountId })).entries.map((e) => e.eventId)).toEqual([linked.id]));
    // calls knows no account until identity answers; identity never does, and the call times out.
    await h.publish(Topics.calls, callEvent(callId, 'CallRequested', { deviceId: device, target: 'Mom' }, null));
    await eventually(async () => expect((await entries({ callId })).entries).toHaveLength(1));
    await h.publish(Topics.calls, callEvent(callId, 'CallFailed', { reason: 'timeout', stage: 'verification', failedAt: new Date().toISOString() }, null));
    await eventually(async () => expect((await entries({ callId })).entries).toHaveLength(2));
    expect((await entries({ accountId, callId })).entries.map((e) => e.type)).toEqual(['CallRequested', 'CallFailed']);
  });

  it('finds by account a call recorded before its speaker’s link: its first event is the household’s through its call', async () => {
    const [accountId, device, callId] = [`acc-${randomUUID()}`, `dev-${randomUUID()}`, randomUUID()];
    // calls' partition read before identity's (another replica holds identity's, or it lags): the audit
    // knows no household of the device yet, and seals the call's first event under the device's own key.
    await h.publish(Topics.calls, callEvent(callId, 'CallRequested', { deviceId: device, target: 'Mom' }, null));
    await eventually(async () => expect((await entries({ callId })).entries).toHaveLength(1));
    const identityEvent = (type: string, streamId: string, data: Record<string, unknown>): Envelope => ({
      id: randomUUID(), type, source: 'identity', streamId, streamVersion: 1, occurredAt: new Date().toISOString(),
      correlationId: callId, causationId: null, accountId, data: { accountId, ...data },
    });
    await h.publish(Topics.identity,
      identityEvent('DeviceLinked', `household-${accountId}`, { deviceId: device, name: 'Kitchen', publicKey: 'AAAA', location: null }),
      identityEvent('SpeakerVerified', `verification-${callId}`, { callId, deviceId: device, memberId: 'm-1', decision: 'accept' }));
    await eventually(async () => expect((await entries({ callId })).entries).toHaveLength(2));
    const history = (await entries({ accountId })).entries;
    expect(history.map((e) => e.type).sort()).toEqual(['CallRequested', 'DeviceLinked', 'SpeakerVerified']);
    expect(history[0]).toMatchObject({ type: 'CallRequested', envelope: { data: { target: 'Mom' } } });
    expect((await entries({ accountId, callId, type: 'CallRequested' })).entries).toHaveLength(1);
    expect((await entries({ accountId: `acc-${randomUUID()}`, callId })).entries).toEqual([]);
  });

  it('serves a consistency proof between two checkpoints that rebuilds both roots', async () => {
    const first = await h.checkpoint();
    const callId = randomUUID();
    await h.publish(Topics.calls, callEvent(callId, 'CallRequested', { deviceId: 'dev-2' }), callEvent(callId, 'CallRouting'));
    const second = await eventually(async () => {
      const c = await h.checkpoint();
      expect(c.size).toBeGreaterThanOrEqual(first.size + 2);
      return c;
    });
    const proof = await h.json<{ hashes: string[] }>(`/v1/audit/consistency?from=${first.size}&to=${second.size}`);
    expect(() => verifyConsistency(first.size, second.size, proof.hashes.map(b64), first.rootHash, second.rootHash)).not.toThrow();
  });

  it('pages by index and never skips an entry whose transaction commits late', async () => {
    const callId = randomUUID();
    const api = h.replicas[0].app.app;
    const { RecordEntries } = await import('../src/application/record-entries');
    const { AUDIT_STORE } = await import('../src/edges/tokens');
    const store = api.get<symbol, AuditStore>(AUDIT_STORE);
    const recorder = api.get(RecordEntries);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // No account on it: staging it takes no row lock the later events need (their link of this call to its account).
    const late = callEvent(callId, 'CallLate', {}, null);
    // Staged in a transaction that stays open while later events are recorded, integrated and read.
    const lateCommit = store.transaction(async (tx) => {
      await recorder.events(tx, [late]);
      await held;
    });
    await h.publish(Topics.calls, ...['CallRequested', 'CallRouting', 'CallRouted'].map((t) => callEvent(callId, t)));
    const seen: string[] = [];
    let cursor: string | undefined;
    const readAll = async () => {
      for (;;) {
        const page = await entries({ callId, limit: '2', ...(cursor ? { cursor } : {}) });
        seen.push(...page.entries.map((e) => e.type));
        if (page.entries.length) cursor = String(page.entries[page.entries.length - 1].index);
        if (!page.nextCursor) return;
      }
    };
    try {
      await eventually(async () => {
        await readAll();
        expect(seen).toEqual(['CallRequested', 'CallRouting', 'CallRouted']);
      });
    } finally {
      release();
      await lateCommit;
    }
    await eventually(async () => {
      await readAll();
      expect(seen).toEqual(['CallRequested', 'CallRouting', 'CallRouted', 'CallLate']);
    });
  });

  it('is append-only in the database itself: UPDATE, DELETE and TRUNCATE are refused', async () => {
    await expect(db().query(`UPDATE audit_checkpoints SET note = 'forged'`)).rejects.toThrow(/append-only|permission denied/);
    for (const table of ['audit_log_entries', 'audit_checkpoints']) {
      await expect(db().query(`DELETE FROM ${table}`)).rejects.toThrow(/append-only|permission denied/);
      await expect(db().query(`TRUNCATE ${table}`)).rejects.toThrow(/append-only|permission denied/);
    }
    await expect(db().query(`UPDATE audit_log_entries SET type = 'Forged'`)).rejects.toThrow(/append-only|permission denied/);
  });

  it('dead-letters a malformed message with its reason and the consumer group, and records the messages after it', async () => {
    const callId = randomUUID();
    await h.publish(Topics.routing, '{"not":"an envelope"', { ...callEvent(callId, 'CallRouted'), source: 'routing' });
    await eventually(async () => expect((await entries({ callId })).entries).toHaveLength(1));
    const consumer = h.kafka.client().consumer({ groupId: `dlq-reader-${callId}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${Topics.routing}.dlq`, fromBeginning: true });
    const letters: Array<{ reason: string; group: string }> = [];
    await consumer.run({ eachMessage: async ({ message }) => void letters.push({ reason: String(message.headers?.['dlq-reason'] ?? ''), group: String(message.headers?.['dlq-consumer-group'] ?? '') }) });
    await eventually(() => expect(letters.length).toBeGreaterThan(0));
    await consumer.disconnect();
    expect(letters[0]).toEqual({ reason: expect.stringMatching(/JSON/), group: 'homeline-audit-log' });
  });

  it('dead-letters an event it could never store or sign, instead of retrying it for ever, and records the events after it', async () => {
    const callId = randomUUID();
    const withNul = callEvent(`${callId}\u0000`, 'CallRequested', { deviceId: 'dev-nul' }); // PostgreSQL text holds no NUL
    const withSurrogate = callEvent(callId, 'CallRinging', { 0: 'index-like key first', note: '\ud800' }); // I-JSON forbids it
    const after = callEvent(callId, 'CallRouting');
    await h.publish(Topics.calls, withNul, withSurrogate, after);
    await eventually(async () => expect((await entries({ callId })).entries.map((e) => e.type)).toEqual(['CallRouting']));
    const consumer = h.kafka.client().consumer({ groupId: `dlq-reader-${callId}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${Topics.calls}.dlq`, fromBeginning: true });
    const letters = new Map<string, string>();
    await consumer.run({
      eachMessage: async ({ message }) => {
        const id = (JSON.parse(String(message.value)) as { id?: string }).id;
        if (id) letters.set(id, String(message.headers?.['dlq-reason'] ?? ''));
      },
    });
    await eventually(() => expect(letters.has(withNul.id) && letters.has(withSurrogate.id)).toBe(true));
    await consumer.disconnect();
    expect(letters.get(withNul.id)).toMatch(/NUL/);
    expect(letters.get(withSurrogate.id)).toMatch(/surrogate/);
  });

  it('records every compliance query as an entry', async () => {
    const callId = randomUUID();
    await entries({ callId });
    await eventually(async () => {
      const page = await entries({ type: 'AuditEntriesQueried', limit: '1000' });
      expect(page.entries.some((e) => (e.envelope.data.filters as Record<string, unknown>).callId === callId)).toBe(true);
    });
  });

  it('answers only the compliance token, and bad input with problem details', async () => {
    const wrong = await h.get('/v1/audit/checkpoint', 'integration-token-for-tests');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ status: 401, code: 'unauthorized' });
    const size = (await h.checkpoint()).size;
    const cases: Array<[string, string]> = [
      ['/v1/audit/entries?cursor=drop%20table', 'invalid_request'],
      ['/v1/audit/entries?cursor=99999999999999999999', 'invalid_request'],
      // ISO-8601 allows them, PostgreSQL's timestamptz does not (no year 0, no offset past 15:59): they were 500s.
      ['/v1/audit/entries?from=0000-06-01T00:00:00Z', 'invalid_request'],
      // A window that ends before it starts is a mistake (swapped bounds), not a window in which nothing happened.
      [`/v1/audit/entries?from=${encodeURIComponent('2026-01-01T09:00:00+05:30')}&to=2026-01-01T03:00:00Z`, 'invalid_range'],
      [`/v1/audit/entries/${size}/proof?treeSize=${size}`, 'index_out_of_range'],
      [`/v1/audit/entries/0/proof?treeSize=${size + 1000}`, 'tree_size_too_large'],
      ['/v1/audit/entries/0/proof', 'invalid_request'],
      ['/v1/audit/entries/-1/proof?treeSize=1', 'invalid_request'],
      [`/v1/audit/consistency?from=${size}&to=1`, 'invalid_range'],
      ['/v1/audit/consistency?from=0&to=1', 'invalid_range'],
      [`/v1/audit/export?from=0&to=${size + 1000}`, 'tree_size_too_large'],
      // A parameter a route does not take is refused, not ignored (the latest checkpoint is no tree size's).
      [`/v1/audit/checkpoint?treeSize=${size}`, 'invalid_request'],
      ['/v1/audit/self-check?full=true', 'invalid_request'],
    ];
    for (const [path, code] of cases) {
      const response = await h.get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(await response.json()).toMatchObject({ code });
    }
    const badErasure = await h.post('/v1/audit/erasures', { accountId: '' });
    expect(badErasure.status).toBe(400);
    // An offset PostgreSQL would refuse names an instant it takes, in UTC.
    const farEast = await h.get(`/v1/audit/entries?to=${encodeURIComponent('2026-01-01T00:00:00+16:00')}`);
    expect(farEast.status).toBe(200);
  });

  it('lists in its OpenAPI document (/docs-json) the query and path parameters each route reads', async () => {
    type Operation = { parameters?: Array<{ name: string; in: string; required?: boolean }> };
    const { paths } = (await (await fetch(`${h.replicas[0].base}/docs-json`)).json()) as { paths: Record<string, { get: Operation }> };
    const query = (path: string) =>
      (paths[path].get.parameters ?? []).filter((p) => p.in === 'query').map((p) => `${p.name}${p.required ? '' : '?'}`).sort();
    expect(query('/v1/audit/entries')).toEqual(['accountId?', 'callId?', 'cursor?', 'deviceId?', 'from?', 'limit?', 'memberId?', 'to?', 'type?']);
    expect(query('/v1/audit/entries/{index}/proof')).toEqual(['treeSize']);
    expect(query('/v1/audit/consistency')).toEqual(['from', 'to']);
    expect(query('/v1/audit/export')).toEqual(['from?', 'to?']);
    // A path template's parameter must be declared, or a generated client has no way to fill it in.
    for (const [path, operation] of Object.entries(paths)) {
      const declared = (operation.get?.parameters ?? []).filter((p) => p.in === 'path' && p.required).map((p) => p.name);
      expect({ path, declared }).toEqual({ path, declared: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]) });
    }
  });

  it('finds an entry by every member and device it names, holds those to its leaf in the self-check, and derives them for entries logged before', async () => {
    const [accountId, owner, teen, speaker] = [`acc-${randomUUID()}`, `m-owner-${randomUUID()}`, `m-teen-${randomUUID()}`, `dev-${randomUUID()}`];
    const envelope = (source: 'identity' | 'routing', type: string, data: Record<string, unknown>): Envelope => ({
      id: randomUUID(), type, source, streamId: `${source}-${randomUUID()}`, streamVersion: 1, occurredAt: new Date().toISOString(),
      correlationId: accountId, causationId: null, accountId, data: { accountId, ...data },
    });
    const notified = envelope('routing', 'EmergencyOwnerNotified', { callId: randomUUID(), ownerMemberId: owner, e164: '911', address: { line1: '1 Elm St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' }, location: null });
    const raise = envelope('identity', 'ApprovalRequested', { approvalId: randomUUID(), action: { type: 'change_member', memberId: teen, grant: ['premium'], raises: ['premium'] } });
    const link = envelope('identity', 'ApprovalRequested', { approvalId: randomUUID(), action: { type: 'link_device', deviceId: speaker, name: 'Attic', publicKey: 'AAAA', location: null } });
    const decided = envelope('identity', 'ApprovalDecided', { approvalId: 'p', approverId: 'phone', memberId: owner, decision: 'approve' });
    await h.publish(Topics.routing, notified);
    await h.publish(Topics.identity, raise, link, decided);
    const found = async () => ({
      owner: (await entries({ memberId: owner })).entries.map((e) => e.eventId).sort(), // two topics: in either order
      teen: (await entries({ memberId: teen })).entries.map((e) => e.eventId),
      speaker: (await entries({ deviceId: speaker })).entries.map((e) => e.eventId),
    });
    const expected = { owner: [notified.id, decided.id].sort(), teen: [raise.id], speaker: [link.id] };
    await eventually(async () => expect(await found()).toEqual(expected));
    await eventually(async () => expect(await h.json('/v1/audit/self-check')).toMatchObject({ ok: true }));

    // Logged before the mentions existed: the migration derives them from the leaves.
    const runner = db().createQueryRunner();
    await runner.startTransaction();
    try {
      const migration = new AuditEntryMentions1765600000000();
      await migration.down(runner);
      await migration.up(runner);
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    expect(await found()).toEqual(expected);
    expect(await h.json('/v1/audit/self-check')).toMatchObject({ ok: true });

    // A mention added behind the service's back (inserts are allowed) names a member the leaf does not.
    const [{ index }] = (await entries({ memberId: teen })).entries;
    await db().query(`INSERT INTO audit_entry_mentions (index, kind, subject) VALUES ($1, 'member', 'intruder')`, [index]);
    const report = await h.json<{ ok: boolean; firstBadIndex: number; problems: string[] }>('/v1/audit/self-check');
    expect(report).toMatchObject({ ok: false, firstBadIndex: index });
    expect(report.problems[0]).toBe(`entry ${index}: its query columns differ from its leaf`);
  });
});
