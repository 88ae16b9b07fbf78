import type { INestApplication } from '@nestjs/common';
import { CarrierSimClient, startCarrierSimulator, type CarrierBehaviour } from '@homeline/carrier-sim';
import { dlqTopic, Headers, Topics, type Envelope } from '@homeline/contracts';
import { createServiceApp } from '@homeline/platform';
import { eventually, freePort, startTestKafka, startTestPostgres } from '@homeline/testing';
import type { Consumer, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { routingService } from '../../src/app.module';
import { topicOf } from './envelopes';

export interface RoutingHarnessOptions {
  readonly behaviours?: Record<string, CarrierBehaviour>;
  readonly defaultBehaviour?: CarrierBehaviour;
  readonly stepMs?: number;
  /** Outbound limits (RATE_LIMIT_*, DAILY_BUDGET_*, MAX_CONCURRENT_CALLS_PER_LINE); unset ones are out of the way. */
  readonly limits?: Record<string, string>;
  /** Extra environment for routing (the carrier adapter's timeout, attempts, breaker). */
  readonly env?: Record<string, string>;
}

/** Limits no test reaches unless it means to: most tests place calls from one speaker and leave them up. */
const roomyLimits = {
  RATE_LIMIT_DEVICE_PER_MINUTE: '10000',
  RATE_LIMIT_ACCOUNT_PER_MINUTE: '10000',
  DAILY_BUDGET_INTERNATIONAL: '10000',
  DAILY_BUDGET_PREMIUM: '10000',
  MAX_CONCURRENT_CALLS_PER_LINE: '10000',
};

export const webhookSecret = 'carrier-webhook-secret-for-tests';
export const carrierApiSecret = 'carrier-api-secret-for-tests';

/** A message a routing consumer refused, as it reached the dead-letter topic. */
export interface DeadLetter {
  readonly topic: string;
  readonly value: string;
  readonly reasonCode: string | undefined;
  readonly consumerGroup: string | undefined;
}

/**
 * The routing service as it runs: its own PostgreSQL database, the embedded Kafka broker, and the
 * carrier simulator (tools/carrier-sim) on an HTTP port of its own, which routing calls through its
 * HTTP adapter and which posts signed callbacks to routing's port. Tests talk to it over Kafka and HTTP.
 */
/** How many members, devices and contacts of one account routing's projection holds. */
export interface ProjectedCounts {
  readonly members: number;
  readonly devices: number;
  readonly contacts: number;
}

export class RoutingHarness {
  private readonly published: Envelope[] = [];
  /** The Kafka key of each published event, by event id. */
  readonly keys = new Map<string, string>();
  readonly deadLetters: DeadLetter[] = [];

  private readonly replicas: INestApplication[] = [];

  private constructor(
    readonly app: INestApplication,
    readonly baseUrl: string,
    /** The simulated carrier's /sim endpoints: what it was asked, a caller's actions, faults. */
    readonly carrier: CarrierSimClient,
    private readonly producer: Producer,
    private readonly collector: Consumer,
    /** Starts another instance of the service on the same database and broker (a replica). */
    private readonly launch: () => Promise<{ app: INestApplication; baseUrl: string }>,
    private readonly cleanup: () => Promise<void>,
  ) {}

  static async start(options: RoutingHarnessOptions = {}): Promise<RoutingHarness> {
    const pg = await startTestPostgres();
    const kafka = await startTestKafka();
    const port = await freePort();
    const simulator = await startCarrierSimulator({
      apiSecret: carrierApiSecret,
      webhookSecret,
      webhookBaseUrl: `http://127.0.0.1:${port}`,
      behaviours: options.behaviours,
      defaultBehaviour: options.defaultBehaviour,
      stepMs: options.stepMs ?? 5,
    });
    const env = {
      DATABASE_URL: await pg.createDatabase(),
      KAFKA_BROKERS: kafka.brokers.join(','),
      INTEGRATION_TOKEN: 'integration-token-for-tests',
      CARRIER_WEBHOOK_SECRET: webhookSecret,
      CARRIER_API_URL: simulator.url,
      CARRIER_API_SECRET: carrierApiSecret,
      CARRIER_DISPATCH_POLL_MS: '30000',
      LOG_LEVEL: 'warn',
      ...roomyLimits,
      ...options.limits,
      ...options.env,
    };
    // The simulator posts its webhooks to the first instance; replicas share its database and topics.
    const launch = async (onPort?: number) => {
      const listenOn = onPort ?? (await freePort());
      const { app } = await createServiceApp(routingService, { ...env, HTTP_PORT: String(listenOn) });
      await app.listen(listenOn, '127.0.0.1');
      return { app, baseUrl: `http://127.0.0.1:${listenOn}` };
    };
    const { app, baseUrl } = await launch(port);
    const client = kafka.client('routing-test');
    const producer = client.producer();
    await producer.connect();
    const collector = client.consumer({ groupId: 'routing-test-collector', maxWaitTimeInMs: 500 });
    const carrier = new CarrierSimClient(simulator.url);
    const harness = new RoutingHarness(app, baseUrl, carrier, producer, collector, () => launch(), async () => {
      for (const replica of harness.replicas.splice(0)) await replica.close();
      await app.close();
      await simulator.stop();
      await kafka.stop();
      await pg.stop();
    });
    await collector.connect();
    const dlqs = [dlqTopic(Topics.calls), dlqTopic(Topics.identity)];
    await collector.subscribe({ topics: [Topics.routing, ...dlqs], fromBeginning: true });
    await collector.run({
      eachMessage: async ({ topic, message }) => {
        const value = message.value?.toString() ?? '';
        if (topic !== Topics.routing) {
          const header = (name: string) => message.headers?.[name]?.toString();
          const [reasonCode, consumerGroup] = [header(Headers.dlqReasonCode), header(Headers.dlqConsumerGroup)];
          return void harness.deadLetters.push({ topic, value, reasonCode, consumerGroup });
        }
        const event: Envelope = JSON.parse(value);
        harness.keys.set(event.id, message.key?.toString() ?? '');
        harness.published.push(event);
      },
    });
    return harness;
  }

  /** A second instance of routing on the same database and topics, in the same consumer groups. */
  async startReplica(): Promise<{ app: INestApplication; baseUrl: string }> {
    const replica = await this.launch();
    this.replicas.push(replica.app);
    return replica;
  }

  get dataSource(): DataSource {
    return this.app.get(DataSource);
  }

  /** Publishes events as their owning service's relay would: key = stream id, on its topic, in one request per topic run. */
  async publish(...events: Envelope[]): Promise<void> {
    for (let i = 0; i < events.length;) {
      const topic = topicOf(events[i]);
      let j = i;
      while (j < events.length && topicOf(events[j]) === topic) j++;
      await this.publishOn(topic, ...events.slice(i, j));
      i = j;
    }
  }

  async publishOn(topic: string, ...events: Envelope[]): Promise<void> {
    await this.publishWithHeaders(topic, {}, ...events);
  }

  /** Publishes events on a topic with these Kafka headers beside `event-type`. */
  async publishWithHeaders(topic: string, headers: Record<string, string>, ...events: Envelope[]): Promise<void> {
    await this.producer.send({
      topic,
      messages: events.map((event) => ({
        key: event.streamId,
        value: JSON.stringify(event),
        headers: { ...headers, 'event-type': event.type },
      })),
    });
  }

  /** Publishes events on their topic under one Kafka key, in one request: one partition, most likely one batch. */
  async publishTogether(key: string, ...events: Envelope[]): Promise<void> {
    await this.producer.send({
      topic: topicOf(events[0]),
      messages: events.map((event) => ({ key, value: JSON.stringify(event), headers: { 'event-type': event.type } })),
    });
  }

  /** Waits until a routing consumer has dead-lettered the message holding `marker`. */
  async deadLettered(marker: string): Promise<DeadLetter> {
    return eventually(() => {
      const found = this.deadLetters.find((d) => d.value.includes(marker));
      expect(found).toBeDefined();
      return found!;
    });
  }

  /** How many events a stream of routing's holds. */
  async streamLength(streamId: string): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM es_events WHERE stream_id = $1`, [
      streamId,
    ]);
    return row.n;
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
    counts: ProjectedCounts,
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

  /** Publishes a household's registry events as identity would and waits until routing has projected them (setup). */
  async register(home: { readonly accountId: string; readonly events: readonly Envelope[]; counts(): ProjectedCounts }): Promise<void> {
    await this.publish(...home.events);
    await this.untilProjected(home.accountId, home.counts());
  }

  async stop(): Promise<void> {
    await this.collector.disconnect();
    await this.producer.disconnect();
    await this.cleanup();
  }
}
