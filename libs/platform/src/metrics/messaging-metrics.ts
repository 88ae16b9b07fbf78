import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { deadLetterCodes } from '@homeline/event-store';
import { consumersOf, onDeadLetter } from '@homeline/telemetry';
import { Admin, Kafka } from 'kafkajs';
import { Counter, Gauge, Registry } from 'prom-client';

/** A scrape must answer within Prometheus' timeout even when Kafka does not. */
const lagTimeoutMs = 3_000;

/**
 * Kafka-side metrics of the service's consumers (those of libs/event-store's inbox):
 * - `homeline_consumer_lag_messages{group,topic,partition}`: the partition's high watermark
 *   minus the group's committed offset, read from Kafka at each scrape, so a consumer that is
 *   stuck, or not running at all, shows its lag growing;
 * - `homeline_dead_letters_total{consumer,topic,reason}`: messages sent to `<topic>.dlq`, by a
 *   bounded reason code (libs/event-store's deadLetterCodes). Every consumer's series are there
 *   from start at 0, so `increase(...) > 0` sees the first dead letter too (a series born at 1
 *   shows no increase).
 * Every replica reports the group's lag: aggregate with max by (group, topic, partition).
 */
@Injectable()
export class MessagingMetrics implements OnApplicationShutdown {
  private readonly logger = new Logger(MessagingMetrics.name);
  private readonly unsubscribe: () => void;
  private admin: Promise<Admin> | undefined;

  constructor(private readonly kafka: Kafka, registry: Registry) {
    const deadLetters: Counter<'consumer' | 'topic' | 'reason'> = new Counter({
      name: 'homeline_dead_letters_total',
      help: 'Messages dead-lettered by a consumer, by source topic and reason code',
      labelNames: ['consumer', 'topic', 'reason'],
      registers: [registry],
      collect: () => {
        for (const { groupId, topics } of consumersOf(kafka))
          for (const topic of topics) for (const reason of deadLetterCodes) deadLetters.inc({ consumer: groupId, topic, reason }, 0);
      },
    });
    this.unsubscribe = onDeadLetter(kafka, ({ consumer, topic, code }) => deadLetters.inc({ consumer, topic, reason: code }));
    const lag: Gauge<'group' | 'topic' | 'partition'> = new Gauge({
      name: 'homeline_consumer_lag_messages',
      help: "Messages not yet consumed: the partition's high watermark minus the group's committed offset",
      labelNames: ['group', 'topic', 'partition'],
      registers: [registry],
      collect: () => this.collectLag(lag),
    });
  }

  private async collectLag(gauge: Gauge<'group' | 'topic' | 'partition'>): Promise<void> {
    gauge.reset();
    try {
      for (const { lag, ...labels } of await withTimeout(this.consumerLag(), lagTimeoutMs)) gauge.set(labels, lag);
    } catch (error) {
      // No series rather than stale ones: an absent lag is what an alert should catch.
      this.logger.debug(`consumer lag unavailable: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async consumerLag(): Promise<{ group: string; topic: string; partition: string; lag: number }[]> {
    const consumers = consumersOf(this.kafka);
    if (consumers.length === 0) return [];
    const admin = await this.connectedAdmin();
    const topics = [...new Set(consumers.flatMap((c) => c.topics))];
    // A topic not created yet has no lag to show; it must not hide the others'.
    const ends = new Map(await Promise.all(topics.map(async (topic) => [topic, await admin.fetchTopicOffsets(topic).catch(() => [])] as const)));
    const lags: { group: string; topic: string; partition: string; lag: number }[] = [];
    for (const { groupId, topics: read } of consumers) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: [...read] })) {
        for (const { partition, offset } of partitions) {
          const end = ends.get(topic)?.find((p) => p.partition === partition);
          if (!end) continue;
          // Nothing committed yet: everything still in the partition is waiting (consumers start from the beginning).
          const from = Number(offset) >= 0 ? Number(offset) : Number(end.low);
          lags.push({ group: groupId, topic, partition: String(partition), lag: Math.max(0, Number(end.high) - from) });
        }
      }
    }
    return lags;
  }

  private connectedAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin({ retry: { retries: 1 } });
      await admin.connect();
      return admin;
    })().catch((error) => {
      this.admin = undefined;
      throw error;
    });
    return this.admin;
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe();
    const admin = await this.admin?.catch(() => undefined);
    await admin?.disconnect();
  }
}

const withTimeout = <T>(work: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Kafka within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
};
