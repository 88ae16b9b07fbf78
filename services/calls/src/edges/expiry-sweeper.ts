import { Inject, Injectable } from '@nestjs/common';
import { forgetOlderThan, forgetProcessed } from '@homeline/event-store';
import { drainBatches, IdempotencyStore, PeriodicSweep, SERVICE_CONFIG } from '@homeline/platform';
import { DataSource } from 'typeorm';
import type { CallsConfig } from '../config';
import { forgetVoices } from './voice-redaction';

/**
 * Forgets what calls needs only for a while: Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_HOURS
 * (a request sent again after that runs again), the nonces of emergency requests older than
 * the assertion window (a replay of one is refused as stale anyway), and inbox rows older than
 * INBOX_RETENTION_HOURS (longer than Kafka keeps the events), and the voice embedding of every
 * published request past the same window (voice-redaction.ts). A sweep every
 * EXPIRY_SWEEP_INTERVAL_MS, in bounded batches: four statements when there is nothing to forget.
 */
const batchSize = 1000;

@Injectable()
export class ExpirySweeper extends PeriodicSweep {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    @Inject(SERVICE_CONFIG) private readonly config: CallsConfig,
  ) {
    super(config.EXPIRY_SWEEP_INTERVAL_MS);
  }

  /** One sweep, batch after batch until the backlog is gone; exposed for tests. */
  async sweep(): Promise<{ idempotencyKeys: number; nonces: number; inbox: number; voices: number }> {
    const idempotencyKeys = await drainBatches(batchSize, (limit) => this.idempotency.expire(this.config.IDEMPOTENCY_KEY_TTL_HOURS * 3600, limit));
    const window = this.config.ASSERTION_MAX_AGE_SECONDS + this.config.ASSERTION_FUTURE_SKEW_SECONDS + 60;
    const nonces = await drainBatches(batchSize, (limit) => forgetOlderThan(this.dataSource.manager, 'emergency_nonces', 'used_at', window, limit));
    const inbox = await drainBatches(batchSize, (limit) => forgetProcessed(this.dataSource.manager, this.config.INBOX_RETENTION_HOURS * 3600, limit));
    const voices = await drainBatches(batchSize, (limit) => forgetVoices(this.dataSource.manager, window, limit));
    return { idempotencyKeys, nonces, inbox, voices };
  }
}
