import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { OutboxRelay } from '@homeline/event-store';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { PlatformConfig } from '../config/env';
import { PLATFORM_OPTIONS, PlatformOptions } from '../platform.options';

/**
 * Runs the service's outbox relay for as long as the app runs: events appended by this service
 * reach its topic (TOPIC_<SERVICE>) after their transaction commits.
 */
@Injectable()
export class OutboxRelayHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private readonly relay: OutboxRelay;

  constructor(dataSource: DataSource, kafka: Kafka, @Inject(PLATFORM_OPTIONS) options: PlatformOptions) {
    const topic = topicOf(options.config, options.service);
    this.relay = new OutboxRelay({
      dataSource,
      kafka,
      name: options.service,
      topicFor: () => topic,
      pollIntervalMs: 500,
      logger: { warn: (details, message) => this.logger.warn({ ...details, msg: message }) },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

const topicOf = (config: PlatformConfig, service: PlatformOptions['service']): string => {
  const topics = { identity: config.TOPIC_IDENTITY, calls: config.TOPIC_CALLS, routing: config.TOPIC_ROUTING, audit: config.TOPIC_AUDIT };
  return topics[service];
};
