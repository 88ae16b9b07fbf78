import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Kafka, logLevel } from 'kafkajs';
import { SERVICE_CONFIG } from '../platform.options';
import type { PlatformConfig } from '../config/env';
import { kafkaConnection } from '../messaging/kafka-connection';
import { kafkaWorkersNotRunning } from '../messaging/background-start';

const PROBE_TIMEOUT_MS = 2_500;

/**
 * Kafka is reachable when a broker answers a Metadata request over the Kafka protocol; the
 * service is ready on Kafka when, besides, its Kafka workers (consumers, outbox relay) run.
 */
@Injectable()
export class KafkaHealthIndicator {
  /** The last check found no broker: the next that finds one wakes the workers waiting on it. */
  private unreachableLastTime = false;
  // A client of its own, without retries: a probe must answer quickly, not heal the connection.
  private readonly kafka: Kafka;

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(SERVICE_CONFIG) config: PlatformConfig,
    /** The service's own client: the workers started with it are the ones that must run. */
    private readonly serviceKafka: Kafka,
  ) {
    this.kafka = new Kafka({
      clientId: 'homeline-health',
      ...kafkaConnection(config),
      connectionTimeout: 1_000,
      requestTimeout: 2_000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
  }

  async isReachable(key: string) {
    const indicator = this.indicators.check(key);
    const notRunning = kafkaWorkersNotRunning(this.serviceKafka);
    // The workers not running are named either way: while Kafka is away, which ones gave up on it.
    const waiting = [...new Set(notRunning.map((w) => w.what))];
    const named = waiting.length > 0 ? { waiting } : {};
    const admin = this.kafka.admin();
    try {
      const cluster = await withTimeout(admin.connect().then(() => admin.describeCluster()), PROBE_TIMEOUT_MS);
      // Kafka is back since the last check: a worker still waiting out its backoff tries now rather
      // than in up to 30 s. Only then: a worker that fails with Kafka up (its database away, an ACL)
      // keeps its backoff, and probes do not turn it into a loop.
      if (this.unreachableLastTime) for (const worker of notRunning) worker.retryNow();
      this.unreachableLastTime = false;
      if (waiting.length === 0) return indicator.up({ brokers: cluster.brokers.length });
      return indicator.down({ brokers: cluster.brokers.length, message: `not started yet: ${waiting.join(', ')}`, ...named });
    } catch (error) {
      this.unreachableLastTime = true;
      return indicator.down({ message: error instanceof Error ? error.message : String(error), ...named });
    } finally {
      void admin.disconnect().catch(() => undefined);
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
