import { Inject, Injectable, Logger } from '@nestjs/common';
import { forgetProcessed } from '@homeline/event-store';
import { drainBatches, IdempotencyStore, PeriodicSweep, SERVICE_CONFIG } from '@homeline/platform';
import { DataSource } from 'typeorm';
import { StepUpApprovals } from '../application/step-up-approvals';
import { VerificationStore } from '../application/verification.store';
import { VoiceprintCipher } from '../application/voiceprint-cipher';
import type { IdentityConfig } from '../config';
import { resealVoiceprints } from './voiceprint-reseal';

const batchSize = 1000;

/** What one sweep forgot. */
export interface SweepReport {
  readonly approvals: number;
  readonly nonces: number;
  readonly idempotencyKeys: number;
  readonly inbox: number;
  /** Voiceprints sealed again under VOICEPRINT_KEY (a rotation under way: VOICEPRINT_PREVIOUS_KEYS). */
  readonly resealed: number;
}

/**
 * Every EXPIRY_SWEEP_INTERVAL_MS: expires approvals nobody answered within APPROVAL_TTL_SECONDS
 * (ApprovalExpired, on the household's write path), and forgets burnt nonces older than
 * NONCE_RETENTION_SECONDS, Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_HOURS and inbox rows
 * older than INBOX_RETENTION_HOURS. Each in indexed batches, each batch its own short transaction;
 * an idle service costs four statements a sweep. While VOICEPRINT_PREVIOUS_KEYS names keys, the
 * first sweep also seals every voiceprint again under VOICEPRINT_KEY (voiceprint-reseal.ts). Replicas may all sweep: a row is deleted once and
 * an approval expires once, whoever gets to it.
 */
@Injectable()
export class ExpirySweeper extends PeriodicSweep {
  private readonly log = new Logger(ExpirySweeper.name);
  private resealed = false;

  constructor(
    private readonly db: DataSource,
    private readonly approvals: StepUpApprovals,
    private readonly nonces: VerificationStore,
    private readonly idempotency: IdempotencyStore,
    private readonly cipher: VoiceprintCipher,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {
    super(config.EXPIRY_SWEEP_INTERVAL_MS);
  }

  /** One sweep of everything that expired; exposed for tests. */
  async sweep(): Promise<SweepReport> {
    const approvals = await this.approvals.expireDue(this.db);
    const nonces = await drainBatches(batchSize, (limit) => this.nonces.forgetNonces(this.db.manager, this.config.NONCE_RETENTION_SECONDS, limit));
    const idempotencyKeys = await drainBatches(batchSize, (limit) => this.idempotency.expire(this.config.IDEMPOTENCY_KEY_TTL_HOURS * 3600, limit));
    const inbox = await drainBatches(batchSize, (limit) => forgetProcessed(this.db.manager, this.config.INBOX_RETENTION_HOURS * 3600, limit));
    return { approvals, nonces, idempotencyKeys, inbox, resealed: await this.reseal() };
  }

  /** Once per process, while a rotation is under way: every print sealed again under the current key. */
  private async reseal(): Promise<number> {
    if (!this.cipher.rotating || this.resealed) return 0;
    const count = await resealVoiceprints(this.db.manager, this.cipher);
    this.resealed = true;
    // Once per process: a replica still on the previous VOICEPRINT_KEY seals new prints under it after
    // this ran, so only a process started after every replica ran with this key can say none is left.
    this.log.log(`${count} voiceprints sealed again under VOICEPRINT_KEY: once a replica started after every replica ran with this VOICEPRINT_KEY says 0, VOICEPRINT_PREVIOUS_KEYS can be removed and its keys destroyed`);
    return count;
  }
}
