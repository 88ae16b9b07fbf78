import { Module, type INestApplication } from '@nestjs/common';
import { appendToStream, eventStoreMigrations, InboxConsumer, PoisonMessage } from '@homeline/event-store';
import { EmbeddedBroker, startBroker } from '@homeline/kafka-embedded';
import { eventually, startTestPostgres, TestPostgres } from '@homeline/testing';
import { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { createServiceApp, OutboxRelayHost, PlatformConfig, PlatformModule, platformEnv, type ServiceDefinition } from '../src';

/**
 * The lag and dead-letter metrics of docs/architecture.md section 8, read from the service's
 * Prometheus registry while a real relay and a real consumer (embedded broker, PostgreSQL) work.
 */
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const topic = `lag-probe.${randomUUID()}`;
const callsTopic = `calls-probe.${randomUUID()}`;

@Module({ providers: [OutboxRelayHost] })
class RelayOnly {}

const service: ServiceDefinition<PlatformConfig> = {
  name: 'calls',
  configSchema: platformEnv({ httpPort: 3999 }),
  appModule: (config) => ({
    module: RelayOnly,
    imports: [PlatformModule.forRoot({ service: 'calls', config, migrations: eventStoreMigrations })],
  }),
};

const probe = z.object({ id: z.string(), type: z.literal('Probe'), n: z.number() });

type Sample = { name: string; values: { value: number; labels: Record<string, string | number> }[] };

describe('the messaging metrics', () => {
  let postgres: TestPostgres;
  let broker: EmbeddedBroker;
  let brokerDir: string;
  let app: INestApplication;
  let consumer: InboxConsumer<z.infer<typeof probe>>;

  const sample = async (name: string, labels: Record<string, string> = {}): Promise<number | undefined> => {
    const metrics = (await app.get(Registry).getMetricsAsJSON()) as unknown as Sample[];
    const metric = metrics.find((m) => m.name === name);
    const matches = metric?.values.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)) ?? [];
    return matches.length ? matches.reduce((sum, v) => sum + v.value, 0) : undefined;
  };

  beforeAll(async () => {
    postgres = await startTestPostgres();
    brokerDir = await mkdtemp(join(tmpdir(), 'homeline-metrics-kafka-'));
    broker = await startBroker({ dataDir: brokerDir, port: 0, initialRebalanceDelayMs: 0, logger: quiet });
    const env = {
      DATABASE_URL: await postgres.createDatabase(),
      KAFKA_BROKERS: broker.address,
      INTEGRATION_TOKEN: 'integration-token-for-tests',
      LOG_LEVEL: 'silent',
      TOPIC_CALLS: callsTopic,
    };
    // Created but not yet initialised: the database is migrated, the relay has not started.
    ({ app } = await createServiceApp(service, env));
  });

  afterAll(async () => {
    await consumer?.stop().catch(() => undefined);
    await app?.close();
    await broker?.stop();
    await postgres?.stop();
    await rm(brokerDir, { recursive: true, force: true });
  });

  it('shows the events the relay has not published yet, and how old the oldest is, until it publishes them', async () => {
    const dataSource = app.get(DataSource);
    const noted = (n: number) => ({ type: 'Noted', data: { n } });
    await appendToStream(dataSource.manager, 'probe-1', [noted(1), noted(2), noted(3)], { expectedVersion: 'no-stream', source: 'calls', now: new Date(Date.now() - 60_000) });

    expect(await sample('homeline_outbox_unpublished_events', { relay: 'calls' })).toBe(3);
    expect(await sample('homeline_outbox_oldest_unpublished_age_seconds', { relay: 'calls' })).toBeGreaterThanOrEqual(59);

    await app.init(); // starts the relay
    await eventually(async () => expect(await sample('homeline_outbox_unpublished_events', { relay: 'calls' })).toBe(0), { timeoutMs: 20_000 });
    expect(await sample('homeline_outbox_oldest_unpublished_age_seconds', { relay: 'calls' })).toBe(0);
  });

  it('shows a consumer group lagging by what waits on its topic, then caught up; and counts dead letters by reason', async () => {
    const producer = new Kafka({ brokers: [broker.address], logLevel: 0 }).producer();
    await producer.connect();
    const valid = (n: number) => ({ value: JSON.stringify({ id: randomUUID(), type: 'Probe', n }) });
    await producer.send({ topic, messages: [valid(1), valid(2), { value: '{not json' }, { value: JSON.stringify({ id: 'x', type: 'Probe' }) }, valid(13)] });
    await producer.disconnect();

    consumer = new InboxConsumer({
      kafka: app.get(Kafka),
      dataSource: app.get(DataSource),
      groupId: 'lag-probe',
      topics: [topic],
      handles: ['Probe'],
      isKnownType: (type) => type === 'Probe',
      parse: (raw) => {
        const parsed = probe.safeParse(raw);
        return parsed.success ? { ok: true, event: parsed.data } : { ok: false, reason: `schema: ${parsed.error.message}` };
      },
      logger: { warn: () => undefined },
      handleBatch: async (events) => {
        for (const { event } of events) if (event.n === 13) throw new PoisonMessage('unlucky_number', event.id);
      },
    });
    // Registered, not running: everything on the topic waits.
    expect(await sample('homeline_consumer_lag_messages', { group: 'lag-probe', topic })).toBe(5);
    // Every series there from the start at 0: an alert on increase(...) > 0 sees the first dead letter.
    expect(await sample('homeline_dead_letters_total', { consumer: 'lag-probe', topic, reason: 'not_json' })).toBe(0);
    expect(await sample('homeline_dead_letters_total', { consumer: 'lag-probe', topic, reason: 'unstorable_text' })).toBe(0);

    await consumer.start();
    await eventually(async () => expect(await sample('homeline_consumer_lag_messages', { group: 'lag-probe', topic })).toBe(0), { timeoutMs: 30_000 });
    expect(await sample('homeline_dead_letters_total', { consumer: 'lag-probe', topic, reason: 'not_json' })).toBe(1);
    expect(await sample('homeline_dead_letters_total', { consumer: 'lag-probe', topic, reason: 'invalid_event' })).toBe(1);
    expect(await sample('homeline_dead_letters_total', { consumer: 'lag-probe', topic, reason: 'poison' })).toBe(1);
  });
});
