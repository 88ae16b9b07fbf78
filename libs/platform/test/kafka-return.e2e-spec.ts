import { Injectable, Module, type INestApplication, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EmbeddedBroker, startBroker } from '@homeline/kafka-embedded';
import { startTestPostgres, TestPostgres } from '@homeline/testing';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { BackgroundStart, createServiceApp, PlatformModule, platformEnv, type PlatformConfig, type ServiceDefinition } from '../src';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const topic = 'homeline.probe.v1';
const groupId = 'homeline-probe-worker';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Kafka consumer started in the background, as every service's inbox consumers are. */
@Injectable()
class ProbeWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  static failures = 0;
  static running = false;
  private consumer: Consumer | undefined;
  private readonly worker: BackgroundStart;

  constructor(kafka: Kafka) {
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

  onApplicationBootstrap(): void {
    this.worker.begin();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker.end();
  }
}

@Module({ providers: [ProbeWorker] })
class WorkerModule {}

const workerService: ServiceDefinition<PlatformConfig> = {
  name: 'calls',
  configSchema: platformEnv({ httpPort: 3999 }),
  appModule: (config) => ({ module: WorkerModule, imports: [PlatformModule.forRoot({ service: 'calls', config })] }),
};

describe('a service whose Kafka comes back after an outage', () => {
  let postgres: TestPostgres;
  let broker: EmbeddedBroker;
  let brokerDir: string;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    postgres = await startTestPostgres();
    brokerDir = await mkdtemp(join(tmpdir(), 'homeline-kafka-return-'));
  });

  afterAll(async () => {
    await app?.close();
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

    ({ app } = await createServiceApp(workerService, {
      DATABASE_URL: await postgres.createDatabase(),
      KAFKA_BROKERS: broker.address,
      INTEGRATION_TOKEN: 'integration-token-for-tests',
      LOG_LEVEL: 'silent',
    }));
    await app.listen(0, '127.0.0.1');
    const ready = async () => {
      const response = await fetch(`http://127.0.0.1:${(app!.getHttpServer().address() as AddressInfo).port}/health/ready`);
      return { status: response.status, body: (await response.json()) as { details: { kafka: { status: string; message?: string } } } };
    };
    expect((await ready()).status).toBe(503);
    // Four failed attempts: the worker now waits 8 s before its fifth.
    while (ProbeWorker.failures < 4) await sleep(50);

    broker = await startBroker({ dataDir: brokerDir, port, initialRebalanceDelayMs: 0, logger: quiet });
    const back = Date.now();
    // Kafka answers, but nothing consumes yet: not ready, and the probe names what waits.
    const first = await ready();
    expect(first.status).toBe(503);
    expect(first.body.details.kafka).toMatchObject({ status: 'down', message: 'not started yet: ProbeWorker' });

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
});
