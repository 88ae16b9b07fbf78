import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { drainBatches, IdempotencyStore, SERVICE_CONFIG } from '@homeline/platform';
import { DataSource } from 'typeorm';
import { StepUpApprovals } from '../application/step-up-approvals';
import { VerificationStore } from '../application/verification.store';
import type { IdentityConfig } from '../config';

const batchSize = 1000;

/** What one sweep forgot. */
export interface SweepReport {
  readonly approvals: number;
  readonly nonces: number;
  readonly idempotencyKeys: number;
}

/**
 * Every EXPIRY_SWEEP_INTERVAL_MS: expires approvals nobody answered within APPROVAL_TTL_SECONDS
 * (ApprovalExpired, on the household's write path), and forgets burnt nonces older than
 * NONCE_RETENTION_SECONDS and Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_HOURS. Each in
 * indexed batches, each batch its own short transaction; an idle service costs three statements
 * a sweep. Replicas may all sweep: a row is deleted once and an approval expires once, whoever
 * gets to it.
 */
@Injectable()
export class ExpirySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpirySweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    private readonly db: DataSource,
    private readonly approvals: StepUpApprovals,
    private readonly nonces: VerificationStore,
    private readonly idempotency: IdempotencyStore,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One sweep of everything that expired; exposed for tests. */
  async sweep(): Promise<SweepReport> {
    const approvals = await this.approvals.expireDue(this.db);
    const nonces = await drainBatches(batchSize, (limit) => this.nonces.forgetNonces(this.db.manager, this.config.NONCE_RETENTION_SECONDS, limit));
    const idempotencyKeys = await drainBatches(batchSize, (limit) => this.idempotency.expire(this.config.IDEMPOTENCY_KEY_TTL_HOURS * 3600, limit));
    return { approvals, nonces, idempotencyKeys };
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .catch((error: unknown) => this.logger.error(`expiry sweep failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => this.schedule());
    }, this.config.EXPIRY_SWEEP_INTERVAL_MS);
  }
}
