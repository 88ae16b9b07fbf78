import { Inject, Injectable } from '@nestjs/common';
import { forgetOlderThan, forgetProcessed } from '@homeline/event-store';
import { drainBatches, PeriodicSweep, SERVICE_CONFIG } from '@homeline/platform';
import { DataSource } from 'typeorm';
import type { RoutingConfig } from '../config';

const batchSize = 1000;
/** How long the registry remembers what it forgot: far longer than any call waits for it (route-calls.ts registryWaitMs). */
const forgottenForSeconds = 86_400;

/**
 * Forgets what routing needs only for a while: inbox rows older than INBOX_RETENTION_HOURS
 * (longer than Kafka keeps the events) and carrier callbacks older than
 * CARRIER_CALLBACK_RETENTION_HOURS, and after a day what the registry forgot (registry_forgotten:
 * a call handed over that long ago waits for nothing anyway). A sweep every EXPIRY_SWEEP_INTERVAL_MS,
 * in bounded batches: three statements when there is nothing to forget.
 */
@Injectable()
export class ExpirySweeper extends PeriodicSweep {
  constructor(
    private readonly db: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: RoutingConfig,
  ) {
    super(config.EXPIRY_SWEEP_INTERVAL_MS);
  }

  /** One sweep, batch after batch until the backlog is gone; exposed for tests. */
  async sweep(): Promise<{ inbox: number; callbacks: number; forgotten: number }> {
    const inbox = await drainBatches(batchSize, (limit) => forgetProcessed(this.db.manager, this.config.INBOX_RETENTION_HOURS * 3600, limit));
    const callbacks = await drainBatches(batchSize, (limit) =>
      forgetOlderThan(this.db.manager, 'carrier_callbacks', 'received_at', this.config.CARRIER_CALLBACK_RETENTION_HOURS * 3600, limit));
    const forgotten = await drainBatches(batchSize, (limit) => forgetOlderThan(this.db.manager, 'registry_forgotten', 'forgotten_at', forgottenForSeconds, limit));
    return { inbox, callbacks, forgotten };
  }
}
