import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { OutboxRelay } from '@homeline/event-store';
import { SERVICE_CONFIG } from '@homeline/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { IdentityConfig } from '../config';
import { KeepTrying } from './keep-trying';

/** Publishes every event identity appends (registry and speaker decisions) to its topic, after commit. */
@Injectable()
export class IdentityOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IdentityOutbox');
  private readonly relay: OutboxRelay;
  private readonly starter = new KeepTrying('outbox relay', this.logger);

  constructor(db: DataSource, kafka: Kafka, @Inject(SERVICE_CONFIG) config: IdentityConfig) {
    this.relay = new OutboxRelay({
      dataSource: db,
      kafka,
      name: 'identity',
      topicFor: () => config.TOPIC_IDENTITY,
      logger: { warn: (details, message) => this.logger.warn(`${message} ${JSON.stringify(details)}`) },
    });
  }

  onApplicationBootstrap(): void {
    this.starter.start(this.relay);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.starter.halt();
    await this.relay.stop();
  }
}
