import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown, Logger } from '@nestjs/common';
import { OutboxRelay } from '@homeline/event-store';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { PlatformConfig } from '../config/env';
import { PLATFORM_OPTIONS, PlatformOptions } from '../platform.options';
import { BackgroundStart } from './background-start';

/**
 * Runs the service's outbox relay for as long as the app runs: events appended by this service
 * reach its topic (TOPIC_<SERVICE>) after their transaction commits.
 */
@Injectable()
export class OutboxRelayHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly worker: BackgroundStart;

  constructor(dataSource: DataSource, kafka: Kafka, @Inject(PLATFORM_OPTIONS) options: PlatformOptions) {
    const logger = new Logger('OutboxRelay');
    const topic = topicOf(options.config, options.service);
    const relay = new OutboxRelay({
      dataSource,
      kafka,
      name: options.service,
      topicFor: () => topic,
      pollIntervalMs: 500,
      logger: { warn: (details, message) => logger.warn({ ...details, msg: message }) },
    });
    this.worker = new BackgroundStart('OutboxRelay', () => relay.start(), () => relay.stop());
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
