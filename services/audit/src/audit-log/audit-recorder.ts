import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { envelopeSchema } from '@homeline/contracts';
import { InboxConsumer } from '@homeline/event-store';
import { SERVICE_CONFIG } from '@homeline/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { AuditConfig } from '../config';
import { toAuditEntry } from './audit-entry';
import { appendAuditEntries } from './audit-log.repository';

/**
 * Records every event of every topic, once. Any well-formed envelope is recorded, including types
 * this service does not know yet: the audit log must not lag behind the services it watches.
 */
@Injectable()
export class AuditRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditRecorder.name);
  private readonly consumer: InboxConsumer<ReturnType<typeof envelopeSchema.parse>>;

  constructor(kafka: Kafka, dataSource: DataSource, @Inject(SERVICE_CONFIG) config: AuditConfig) {
    this.consumer = new InboxConsumer({
      kafka,
      dataSource,
      groupId: 'homeline-audit',
      topics: [config.TOPIC_IDENTITY, config.TOPIC_CALLS, config.TOPIC_ROUTING],
      schema: envelopeSchema,
      handle: async (event, manager) => {
        await appendAuditEntries(manager, [toAuditEntry(event)]);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
    this.logger.log('recording every event of the identity, calls and routing topics');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
