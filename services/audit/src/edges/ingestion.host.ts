import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BackgroundStart, EventFlowMetrics, SERVICE_CONFIG } from '@homeline/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { RecordEntries } from '../application/record-entries';
import type { AuditConfig } from '../config';
import { KeyEncryptionKey } from './crypto/data-keys';
import { auditIngestion } from './kafka/audit-ingestion.consumer';
import { AuditKeyCache } from './sql/key-cache';

/**
 * The consumer group of the transparency log. A new name on purpose: the first audit version's
 * group had already consumed the topics into the old table, and this one reads them again from the
 * start so the new log holds the history Kafka still retains (docs/decisions.md).
 */
export const AUDIT_CONSUMER_GROUP = 'homeline-audit-log';

@Injectable()
export class IngestionHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly worker: BackgroundStart;

  constructor(
    kafka: Kafka,
    dataSource: DataSource,
    kek: KeyEncryptionKey,
    recorder: RecordEntries,
    keyCache: AuditKeyCache,
    metrics: EventFlowMetrics,
    @Inject(SERVICE_CONFIG) config: AuditConfig,
  ) {
    const logger = new Logger('AuditIngestion');
    const ingestion = auditIngestion({
      kafka,
      dataSource,
      kek,
      recorder,
      keyCache,
      groupId: AUDIT_CONSUMER_GROUP,
      topics: [config.TOPIC_IDENTITY, config.TOPIC_CALLS, config.TOPIC_ROUTING],
      fetchWaitMs: config.AUDIT_FETCH_WAIT_MS,
      logger: { warn: (details, msg) => logger.warn({ ...details, msg }) },
      instrumentation: metrics.consumers,
    });
    this.worker = new BackgroundStart('AuditIngestion', (died) => ingestion.start(died), () => ingestion.stop(), kafka);
  }

  onApplicationBootstrap(): void {
    this.worker.begin();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker.end();
  }
}
