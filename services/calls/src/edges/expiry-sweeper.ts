import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { drainBatches, IdempotencyStore, SERVICE_CONFIG } from '@homeline/platform';
import { DataSource } from 'typeorm';
import type { CallsConfig } from '../config';

/**
 * Forgets what calls needs only for a while: Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_HOURS
 * (a request sent again after that runs again) and the nonces of emergency requests older than
 * the assertion window (a replay of one is refused as stale anyway). A sweep every
 * EXPIRY_SWEEP_INTERVAL_MS, in bounded batches: two statements when there is nothing to forget.
 */
const batchSize = 1000;

@Injectable()
export class ExpirySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpirySweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    @Inject(SERVICE_CONFIG) private readonly config: CallsConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .then(() => undefined)
        .catch((error) => this.logger.warn(`expiry sweep failed: ${error instanceof Error ? error.message : error}`))
        .finally(() => (this.running = undefined));
    }, this.config.EXPIRY_SWEEP_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep, batch after batch until the backlog is gone; exposed for tests. */
  async sweep(): Promise<{ idempotencyKeys: number; nonces: number }> {
    const idempotencyKeys = await drainBatches(batchSize, (limit) => this.idempotency.expire(this.config.IDEMPOTENCY_KEY_TTL_HOURS * 3600, limit));
    const window = this.config.ASSERTION_MAX_AGE_SECONDS + this.config.ASSERTION_FUTURE_SKEW_SECONDS + 60;
    const nonces = await drainBatches(batchSize, async (limit) => {
      const [, deleted]: [unknown, number] = await this.dataSource.query(
        `DELETE FROM emergency_nonces WHERE ctid = ANY (ARRAY(
           SELECT ctid FROM emergency_nonces WHERE used_at < now() - make_interval(secs => $1) LIMIT $2))`,
        [window, limit],
      );
      return deleted;
    });
    return { idempotencyKeys, nonces };
  }
}
