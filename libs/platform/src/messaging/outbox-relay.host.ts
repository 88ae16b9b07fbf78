import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { OutboxRelay } from '@homeline/event-store';
import { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { PlatformConfig } from '../config/env';
import { registerRelayLag } from '../metrics/relay-lag';
import { PLATFORM_OPTIONS, PlatformOptions } from '../platform.options';
import { storeLogger } from '../observability/store-logger';
import { BackgroundStart } from './background-start';
import { EventFlowMetrics } from './event-flow.metrics';

/**
 * Runs the service's outbox relay for as long as the app runs: events appended by this service
 * reach its topic (TOPIC_<SERVICE>) after their transaction commits.
 */
@Injectable()
export class OutboxRelayHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly worker: BackgroundStart;

  constructor(dataSource: DataSource, kafka: Kafka, registry: Registry, @Inject(PLATFORM_OPTIONS) options: PlatformOptions, metrics: EventFlowMetrics) {
    const topic = topicOf(options.config, options.service);
    const serviceMetrics = options.publishedMetrics?.(registry);
    const relay = new OutboxRelay({
      dataSource,
      kafka,
      name: options.service,
      topicFor: () => topic,
      keyFor: options.messageKey,
      pollIntervalMs: 500,
      onPublished: (events, publishedAt) => {
        metrics.published(events, publishedAt);
        serviceMetrics?.(events);
      },
      logger: storeLogger('OutboxRelay'),
    });
    this.worker = new BackgroundStart('OutboxRelay', () => relay.start(), () => relay.stop(), kafka);
    registerRelayLag(registry, dataSource, options.service);
  }

  onApplicationBootstrap(): void {
    this.worker.begin();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker.end();
  }
}

const topicOf = (config: PlatformConfig, service: PlatformOptions['service']): string => {
  const topics = { identity: config.TOPIC_IDENTITY, calls: config.TOPIC_CALLS, routing: config.TOPIC_ROUTING, audit: config.TOPIC_AUDIT };
  return topics[service];
};
