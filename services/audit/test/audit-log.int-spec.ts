import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topics, type Envelope } from '@homeline/contracts';
import { startBroker, type EmbeddedBroker } from '@homeline/kafka-embedded';
import { createServiceApp, type ServiceApp } from '@homeline/platform';
import { eventually, startTestPostgres, type TestPostgres } from '@homeline/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { auditService } from '../src/app.module';
import type { AuditConfig } from '../src/config';

const complianceToken = 'compliance-token-for-tests';

describe('the audit log', () => {
  let postgres: TestPostgres;
  let broker: EmbeddedBroker;
  let dir: string;
  let audit: ServiceApp<AuditConfig>;
  let base: string;
  let producer: Producer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-int-'));
    postgres = await startTestPostgres();
    broker = await startBroker({ dataDir: dir, port: 0, initialRebalanceDelayMs: 0 });
    audit = await createServiceApp(auditService, {
      DATABASE_URL: await postgres.createDatabase(),
      KAFKA_BROKERS: broker.address,
      INTEGRATION_TOKEN: 'integration-token-for-tests',
      COMPLIANCE_TOKEN: complianceToken,
      LOG_LEVEL: 'warn',
    });
    await audit.app.listen(0, '127.0.0.1');
    base = await audit.app.getUrl();
    producer = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await audit?.app.close();
    await broker?.stop();
    await postgres?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const entries = async (query: Record<string, string>, token = complianceToken) =>
    fetch(`${base}/v1/audit/entries?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${token}` } });

  const callEvent = (callId: string, type: string, data: Record<string, unknown> = {}): Envelope => ({
    id: randomUUID(), type, source: 'calls', streamId: `call-${callId}`, streamVersion: 1, occurredAt: new Date().toISOString(),
    correlationId: callId, causationId: null, accountId: 'acc-1', data: { callId, ...data },
  });

  const publish = (topic: string, ...values: Array<Envelope | string>) =>
    producer.send({ topic, messages: values.map((v) => ({ key: 'k', value: typeof v === 'string' ? v : JSON.stringify(v) })) });

  it('records an event delivered twice only once, queryable by call id', async () => {
    const callId = randomUUID();
    const event = callEvent(callId, 'CallRequested', { deviceId: 'dev-1' });
    await publish(Topics.calls, event, event);
    await publish(Topics.calls, callEvent(callId, 'CallRejected', { reason: 'not_permitted' }));
    const body = await eventually(async () => {
      const page = (await (await entries({ callId })).json()) as { entries: Array<{ type: string; eventId: string; deviceId: string | null }> };
      expect(page.entries.map((e) => e.type)).toEqual(['CallRequested', 'CallRejected']);
      return page;
    });
    expect(body.entries[0]).toMatchObject({ eventId: event.id, deviceId: 'dev-1' });
  });

  it('dead-letters a malformed message with its reason and records the messages after it', async () => {
    const callId = randomUUID();
    await publish(Topics.routing, '{"not":"an envelope"', callEvent(callId, 'CallRouted'));
    await eventually(async () => {
      const page = (await (await entries({ callId })).json()) as { entries: unknown[] };
      expect(page.entries).toHaveLength(1);
    });
    const consumer = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING }).consumer({ groupId: `dlq-reader-${callId}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${Topics.routing}.dlq`, fromBeginning: true });
    const reasons: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void reasons.push(String(message.headers?.['dlq-reason'] ?? '')) });
    await eventually(() => expect(reasons.length).toBeGreaterThan(0));
    await consumer.disconnect();
    expect(reasons[0]).toMatch(/json|JSON/);
  });

  it('pages with a cursor', async () => {
    const callId = randomUUID();
    await publish(Topics.calls, ...['CallRequested', 'CallRouting', 'CallRouted'].map((t) => callEvent(callId, t)));
    await eventually(async () => expect(((await (await entries({ callId })).json()) as { entries: unknown[] }).entries).toHaveLength(3));
    const first = (await (await entries({ callId, limit: '2' })).json()) as { entries: Array<{ type: string }>; nextCursor: string };
    const second = (await (await entries({ callId, limit: '2', cursor: first.nextCursor })).json()) as { entries: Array<{ type: string }>; nextCursor: null };
    expect([...first.entries, ...second.entries].map((e) => e.type)).toEqual(['CallRequested', 'CallRouting', 'CallRouted']);
    expect(second.nextCursor).toBeNull();
  });

  it('is append-only in the database itself: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const db = audit.app.get(DataSource);
    await expect(db.query(`UPDATE audit_entries SET type = 'Forged'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM audit_entries`)).rejects.toThrow(/append-only/);
    await expect(db.query(`TRUNCATE audit_entries`)).rejects.toThrow(/append-only/);
  });

  it('answers only the compliance token, with problem details', async () => {
    const response = await entries({}, 'integration-token-for-tests');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ status: 401, code: 'unauthorized' });
    const bad = await entries({ cursor: 'drop table' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_request' });
  });
});
