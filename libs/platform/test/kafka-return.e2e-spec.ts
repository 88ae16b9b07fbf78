import { Injectable, Module, type INestApplication, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InboxConsumer } from '@homeline/event-store';
import { EmbeddedBroker, startBroker } from '@homeline/kafka-embedded';
import { startTestPostgres, TestPostgres } from '@homeline/testing';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { BackgroundStart, createServiceApp, PlatformModule, platformEnv, type PlatformConfig, type ServiceDefinition } from '../src';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const topic = 'homeline.probe.v1';
const groupId = 'homeline-probe-worker';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Begins its worker as the app starts and ends it on shutdown, as the services' consumer hosts do. */
abstract class WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  protected abstract readonly worker: BackgroundStart;

  onApplicationBootstrap(): void {
    this.worker.begin();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker.end();
  }
}

/** A Kafka consumer started in the background, as every service's inbox consumers are. */
@Injectable()
class ProbeWorker extends WorkerHost {
  static failures = 0;
  static running = false;
  private consumer: Consumer | undefined;
  protected readonly worker: BackgroundStart;

  constructor(kafka: Kafka) {
    super();
    this.worker = new BackgroundStart(
      'ProbeWorker',
      async () => {
        // No retries of its own: each attempt fails at once while the broker is away.
        this.consumer = kafka.consumer({ groupId, retry: { retries: 0 } });
        try {
          await this.consumer.connect();
          await this.consumer.subscribe({ topics: [topic] });
          await this.consumer.run({ eachMessage: async () => undefined });
          ProbeWorker.running = true;
        } catch (error) {
          ProbeWorker.failures++;
          throw error;
        }
      },
      async () => {
        ProbeWorker.running = false;
        await this.consumer?.disconnect();
      },
      kafka,
    );
  }
}

@Module({ providers: [ProbeWorker] })
class WorkerModule {}

/** A service made of one module of workers, on the platform every service runs on. */
const serviceOf = (module: new () => object): ServiceDefinition<PlatformConfig> => ({
  name: 'calls',
  configSchema: platformEnv({ httpPort: 3999 }),
  appModule: (config) => ({ module, imports: [PlatformModule.forRoot({ service: 'calls', config })] }),
});

/** GET /health/ready of the app. */
const readiness = async (app: INestApplication) => {
  const response = await fetch(`http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/health/ready`);
  return { status: response.status, body: (await response.json()) as { details: { kafka: { status: string; message?: string; waiting?: string[] } } } };
};

/** An inbox consumer started as the services start theirs, recording the ids it handled. */
@Injectable()
class ProbeInbox extends WorkerHost {
  static handled: string[] = [];
  protected readonly worker: BackgroundStart;

  constructor(kafka: Kafka, dataSource: DataSource) {
    super();
    const consumer = new InboxConsumer<{ id: string; type: string }>({
      kafka,
      dataSource,
      groupId: 'homeline-probe-inbox',
      topics: [topic],
      handles: 'all',
      isKnownType: () => true,
      parse: (raw) => ({ ok: true, event: raw as { id: string; type: string } }),
      idempotentHandler: true,
      transactional: false,
      logger: quiet,
      handleBatch: async (events) => void ProbeInbox.handled.push(...events.map((e) => e.event.id)),
    });
    this.worker = new BackgroundStart('ProbeInbox', (died) => consumer.start(died), () => consumer.stop(), kafka);
  }
}

@Module({ providers: [ProbeInbox] })
class InboxModule {}

describe('a service whose Kafka comes back after an outage', () => {
  let postgres: TestPostgres;
  let broker: EmbeddedBroker;
  let brokerDir: string;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    postgres = await startTestPostgres();
    brokerDir = await mkdtemp(join(tmpdir(), 'homeline-kafka-return-'));
  });

  /** A service of one module of workers, on a database of its own and the broker, listening on a free port. */
  const startService = async (module: new () => object): Promise<INestApplication> => {
    const { app: started } = await createServiceApp(serviceOf(module), {
      DATABASE_URL: await postgres.createDatabase(),
      KAFKA_BROKERS: broker.address,
      INTEGRATION_TOKEN: 'integration-token-for-tests',
      LOG_LEVEL: 'silent',
    });
    await started.listen(0, '127.0.0.1');
    return started;
  };

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await broker?.stop();
  });

  afterAll(async () => {
    await broker?.stop();
    await postgres?.stop();
    await rm(brokerDir, { recursive: true, force: true });
  });

  it('is not ready until its consumers run again, and they run within a readiness check of its return, not after their backoff', async () => {
    broker = await startBroker({ dataDir: brokerDir, port: 0, initialRebalanceDelayMs: 0, logger: quiet });
    const port = Number(broker.address.split(':').pop());
    const admin = new Kafka({ clientId: 'test', brokers: [broker.address], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    await broker.stop(); // Kafka is away when the service starts (a pod rescheduled during an outage)

    app = await startService(WorkerModule);
    const ready = () => readiness(app!);
    expect((await ready()).status).toBe(503);
    // Four failed attempts: the worker now waits 8 s before its fifth.
    while (ProbeWorker.failures < 4) await sleep(50);

    broker = await startBroker({ dataDir: brokerDir, port, initialRebalanceDelayMs: 0, logger: quiet });
    const back = Date.now();
    // Kafka answers, but nothing consumes yet: not ready, and the probe names what waits.
    const first = await ready();
    expect(first.status).toBe(503);
    expect(first.body.details.kafka).toMatchObject({ status: 'down', message: 'not started yet: ProbeWorker', waiting: ['ProbeWorker'] });

    let answer = first;
    while (answer.status !== 200 && Date.now() - back < 15_000) {
      await sleep(200);
      answer = await ready();
      // Ready means consuming: never 200 while the consumer waits out its backoff.
      if (answer.status === 200) expect(ProbeWorker.running).toBe(true);
    }
    expect(answer.status).toBe(200);
    expect(Date.now() - back).toBeLessThan(5_000); // its backoff alone was 8 s
    const check = new Kafka({ clientId: 'test', brokers: [broker.address], logLevel: logLevel.NOTHING }).admin();
    await check.connect();
    const { groups } = await check.describeGroups([groupId]);
    await check.disconnect();
    expect(groups[0]).toMatchObject({ state: 'Stable' });
    expect(groups[0].members).toHaveLength(1);
  }, 60_000);

  it('is not ready once a running consumer crashed during the outage, and consumes again as soon as Kafka is back', async () => {
    broker = await startBroker({ dataDir: brokerDir, port: 0, initialRebalanceDelayMs: 0, logger: quiet });
    const port = Number(broker.address.split(':').pop());
    const client = () => new Kafka({ clientId: 'test', brokers: [broker.address], logLevel: logLevel.NOTHING });
    const admin = client().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    app = await startService(InboxModule);
    const ready = () => readiness(app!);
    const until = async (what: string, done: () => Promise<boolean> | boolean, ms: number) => {
      for (const end = Date.now() + ms; !(await done()); await sleep(200)) if (Date.now() > end) throw new Error(`not ${what} within ${ms} ms`);
    };
    const produce = async (id: string) => {
      const producer = client().producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ value: JSON.stringify({ id, type: 'Probe', source: 'probe' }) }] });
      await producer.disconnect();
    };
    await until('ready', async () => (await ready()).status === 200, 20_000);
    await produce('before');
    await until('consumed', () => ProbeInbox.handled.includes('before'), 10_000);

    await broker.stop();
    // The consumer gives up on the broker (kafkajs' retries spent) and says so: readiness names it.
    await until('named as not running', async () => (await ready()).body.details.kafka.waiting?.includes('ProbeInbox') === true, 60_000);

    broker = await startBroker({ dataDir: brokerDir, port, initialRebalanceDelayMs: 0, logger: quiet });
    const back = Date.now();
    let answer = await ready();
    while (answer.status !== 200 && Date.now() - back < 15_000) {
      await sleep(200);
      answer = await ready();
    }
    expect(answer.status).toBe(200);
    expect(Date.now() - back).toBeLessThan(5_000);
    await produce('after');
    await until('consumed after the outage', () => ProbeInbox.handled.includes('after'), 5_000);
  }, 120_000);
});
