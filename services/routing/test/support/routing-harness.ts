import type { INestApplication } from '@nestjs/common';
import { Topics, type Envelope } from '@homeline/contracts';
import { createServiceApp } from '@homeline/platform';
import { eventually, freePort, startTestKafka, startTestPostgres } from '@homeline/testing';
import type { Consumer, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { routingService } from '../../src/app.module';
import { topicOf } from './envelopes';

export interface RoutingHarnessOptions {
  readonly behaviours?: Record<string, 'answer' | 'busy' | 'no_answer' | 'fail' | 'ring'>;
  readonly defaultBehaviour?: 'answer' | 'busy' | 'no_answer' | 'fail' | 'ring';
  readonly stepMs?: number;
}

export const webhookSecret = 'carrier-webhook-secret-for-tests';

/**
 * The routing service as it runs: its own PostgreSQL database, the embedded Kafka broker, the
 * carrier simulator posting signed callbacks to its HTTP port. Tests talk to it over Kafka and HTTP.
 */
export class RoutingHarness {
  private readonly published: Envelope[] = [];

  private constructor(
    readonly app: INestApplication,
    readonly baseUrl: string,
    private readonly producer: Producer,
    private readonly collector: Consumer,
    private readonly cleanup: () => Promise<void>,
  ) {}

  static async start(options: RoutingHarnessOptions = {}): Promise<RoutingHarness> {
    const pg = await startTestPostgres();
    const kafka = await startTestKafka();
    const port = await freePort();
    const { app } = await createServiceApp(routingService, {
      HTTP_PORT: String(port),
      DATABASE_URL: await pg.createDatabase(),
      KAFKA_BROKERS: kafka.brokers.join(','),
      INTEGRATION_TOKEN: 'integration-token-for-tests',
      CARRIER_WEBHOOK_SECRET: webhookSecret,
      CARRIER_SIM_DEFAULT_BEHAVIOUR: options.defaultBehaviour ?? 'answer',
      CARRIER_SIM_BEHAVIOURS: JSON.stringify(options.behaviours ?? {}),
      CARRIER_SIM_STEP_MS: String(options.stepMs ?? 5),
      CARRIER_DISPATCH_POLL_MS: '500',
      LOG_LEVEL: 'warn',
    });
    await app.listen(port, '127.0.0.1');
    const client = kafka.client('routing-test');
    const producer = client.producer();
    await producer.connect();
    const collector = client.consumer({ groupId: 'routing-test-collector', maxWaitTimeInMs: 500 });
    const harness = new RoutingHarness(app, `http://127.0.0.1:${port}`, producer, collector, async () => {
      await app.close();
      await kafka.stop();
      await pg.stop();
    });
    await collector.connect();
    await collector.subscribe({ topic: Topics.routing, fromBeginning: true });
    await collector.run({
      eachMessage: async ({ message }) => void harness.published.push(JSON.parse(message.value!.toString())),
    });
    return harness;
  }

  get dataSource(): DataSource {
    return this.app.get(DataSource);
  }

  /** Publishes events as their owning service's relay would: key = stream id, on its topic. */
  async publish(...events: Envelope[]): Promise<void> {
    for (const event of events) {
      await this.producer.send({
        topic: topicOf(event),
        messages: [{ key: event.streamId, value: JSON.stringify(event), headers: { 'event-type': event.type } }],
      });
    }
  }

  /** Routing's events about a call, as published on homeline.routing.v1. */
  eventsOf(callId: string): Envelope[] {
    return this.published.filter((e) => e.correlationId === callId);
  }

  typesOf(callId: string): string[] {
    return this.eventsOf(callId).map((e) => e.type);
  }

  /** Waits until routing has published events of these types for the call (in this order, maybe more). */
  async waitFor(callId: string, types: readonly string[]): Promise<Envelope[]> {
    return eventually(() => {
      expect(this.typesOf(callId).slice(0, types.length)).toEqual(types);
      return this.eventsOf(callId);
    });
  }

  /** Waits until routing's projection holds the household's members, devices and contacts (setup, not an assertion). */
  async untilProjected(
    accountId: string,
    counts: { readonly members: number; readonly devices: number; readonly contacts: number },
  ): Promise<void> {
    await eventually(async () => {
      const [row] = await this.dataSource.query(
        `SELECT (SELECT count(*) FROM members WHERE account_id = $1)::int AS members,
                (SELECT count(*) FROM devices WHERE account_id = $1)::int AS devices,
                (SELECT count(*) FROM contacts WHERE account_id = $1)::int AS contacts`,
        [accountId],
      );
      expect(row).toEqual(counts);
    });
  }

  async stop(): Promise<void> {
    await this.collector.disconnect();
    await this.producer.disconnect();
    await this.cleanup();
  }
}
