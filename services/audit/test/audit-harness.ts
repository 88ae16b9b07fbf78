import { randomBytes, randomUUID } from 'node:crypto';
import type { Envelope } from '@homeline/contracts';
import { createServiceApp, type ServiceApp } from '@homeline/platform';
import { startTestKafka, startTestPostgres, type TestKafka, type TestPostgres } from '@homeline/testing';
import { formatSignerKey, openCheckpoint, parseSignerKey, type Checkpoint, type NoteVerifier } from '@homeline/tlog';
import type { Producer } from 'kafkajs';
import { auditService } from '../src/app.module';
import type { AuditConfig } from '../src/config';

export const complianceToken = 'compliance-token-for-tests';
export const origin = 'homeline.test/audit';

/** Real PostgreSQL, Kafka (the embedded broker, or KAFKA_BROKERS), and as many audit replicas as a test asks for, on one database. */
export interface AuditHarness {
  readonly verifier: NoteVerifier;
  readonly databaseUrl: string;
  readonly replicas: Array<{ app: ServiceApp<AuditConfig>; base: string }>;
  readonly producer: Producer;
  readonly kafka: TestKafka;
  addReplica(env?: Record<string, string>): Promise<{ app: ServiceApp<AuditConfig>; base: string }>;
  get(path: string, token?: string, base?: string): Promise<Response>;
  json<T>(path: string): Promise<T>;
  post(path: string, body: unknown, token?: string): Promise<Response>;
  checkpoint(): Promise<Checkpoint & { note: string }>;
  publish(topic: string, ...values: Array<Envelope | string>): Promise<void>;
  stop(): Promise<void>;
}

export async function startAuditHarness(): Promise<AuditHarness> {
  const postgres: TestPostgres = await startTestPostgres();
  const kafka = await startTestKafka();
  const databaseUrl = await postgres.createDatabase();
  const signingKey = formatSignerKey(origin, randomBytes(32));
  const kek = randomBytes(32).toString('base64');
  const verifier = parseSignerKey(signingKey).verifier;
  const producer = kafka.client().producer();
  await producer.connect();
  const replicas: AuditHarness['replicas'] = [];
  const addReplica = async (env: Record<string, string> = {}) => {
    const app = await createServiceApp(auditService, {
      DATABASE_URL: databaseUrl, KAFKA_BROKERS: kafka.brokers.join(','), INTEGRATION_TOKEN: 'integration-token-for-tests', COMPLIANCE_TOKEN: complianceToken,
      AUDIT_SIGNING_KEY: signingKey, AUDIT_KEK: kek, AUDIT_SELF_CHECK_INTERVAL_MS: '0', LOG_LEVEL: 'warn', ...env,
    });
    await app.app.listen(0, '127.0.0.1');
    const replica = { app, base: await app.app.getUrl() };
    replicas.push(replica);
    return replica;
  };
  await addReplica();
  const get = (path: string, token = complianceToken, base = replicas[0].base) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return {
    verifier, databaseUrl, replicas, producer, kafka, addReplica, get,
    json: async <T>(path: string) => {
      const response = await get(path);
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    post: (path, body, token = complianceToken) =>
      fetch(`${replicas[0].base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    checkpoint: async () => {
      const note = await (await get('/v1/audit/checkpoint')).text();
      return { ...openCheckpoint(note, verifier, origin), note };
    },
    publish: async (topic, ...values) => {
      await producer.send({ topic, messages: values.map((v) => ({ key: typeof v === 'string' ? 'k' : v.streamId, value: typeof v === 'string' ? v : JSON.stringify(v) })) });
    },
    stop: async () => {
      await producer.disconnect();
      for (const r of replicas) await r.app.app.close();
      await kafka.stop();
      await postgres.stop();
    },
  };
}

/** An envelope as the calls service publishes it. */
export const callEvent = (callId: string, type: string, data: Record<string, unknown> = {}, accountId: string | null = 'acc-1'): Envelope => ({
  id: randomUUID(), type, source: 'calls', streamId: `call-${callId}`, streamVersion: 1, occurredAt: new Date().toISOString(),
  correlationId: callId, causationId: null, accountId, data: { callId, ...data },
});

export const accountOpened = (accountId: string, msisdn: string): Envelope => ({
  id: randomUUID(), type: 'AccountOpened', source: 'identity', streamId: `household-${accountId}`, streamVersion: 1, occurredAt: new Date().toISOString(),
  correlationId: accountId, causationId: null, accountId,
  data: { accountId, msisdn, displayName: 'The Rivera home', timezone: 'America/New_York', address: { line1: '12 Elm Street', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' } },
});
