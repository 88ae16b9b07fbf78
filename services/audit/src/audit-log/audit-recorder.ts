import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { envelopeSchema } from '@homeline/contracts';
import { InboxConsumer } from '@homeline/event-store';
import { BackgroundStart, SERVICE_CONFIG } from '@homeline/platform';
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
  private readonly worker: BackgroundStart;

  constructor(kafka: Kafka, dataSource: DataSource, @Inject(SERVICE_CONFIG) config: AuditConfig) {
    const consumer = new InboxConsumer({
      kafka,
      dataSource,
      groupId: 'homeline-audit',
      topics: [config.TOPIC_IDENTITY, config.TOPIC_CALLS, config.TOPIC_ROUTING],
      schema: envelopeSchema,
      handle: async (event, manager) => {
        await appendAuditEntries(manager, [toAuditEntry(event)]);
      },
    });
    this.worker = new BackgroundStart(AuditRecorder.name, () => consumer.start(), () => consumer.stop());
  }

  onApplicationBootstrap(): void {
    this.worker.begin();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker.end();
  }
}
