import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { heldBackNote, LogThrottle, SERVICE_CONFIG } from '@homeline/platform';
import { Counter, Gauge, Registry } from 'prom-client';
import { Integrator } from '../application/integrator';
import { LogIntegrityError } from '../application/log-integrity';
import type { StagedSignal } from '../application/ports';
import type { AuditConfig } from '../config';

/**
 * Runs the integrator: woken at once when this process stages entries, and polled every
 * AUDIT_INTEGRATE_POLL_MS for entries another replica staged and left (a crash between staging
 * and integrating). It waits AUDIT_INTEGRATE_DELAY_MS to gather a batch, then drains in batches,
 * so a burst is integrated in a few transactions (and checkpoints) and a new entry is in a signed
 * checkpoint well within a second.
 */
@Injectable()
export class IntegrationLoop implements StagedSignal, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditIntegrator');
  private readonly integrated: Counter;
  private readonly refused: Counter;
  private readonly size: Gauge;
  private running: Promise<void> | null = null;
  private again = false;
  private polling = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private integrator: Integrator | undefined;
  private readonly refusalLog = new LogThrottle(60_000);
  private readonly failureLog = new LogThrottle(10_000);

  constructor(@Inject(SERVICE_CONFIG) private readonly config: AuditConfig, private readonly registry: Registry) {
    this.integrated = new Counter({ name: 'audit_entries_integrated_total', help: 'Entries sequenced into the Merkle tree by this replica', registers: [registry] });
    this.refused = new Counter({
      name: 'audit_integration_refusals_total',
      help: 'Batches this replica refused to sign because the stored tree is not one the log signed (altered behind the service)',
      registers: [registry],
    });
    // Registered by this replica's first batch: a 0 before it would read as an empty log (aggregate with max).
    this.size = new Gauge({ name: 'audit_tree_size', help: 'Size of the tree after this replica last integrated', registers: [] });
  }

  /** Set by the module once the integrator is built (it needs the store, which needs this signal). */
  attach(integrator: Integrator): void {
    this.integrator = integrator;
  }

  async onApplicationBootstrap(): Promise<void> {
    // A log altered behind the service's back is signed over by no one; queries and the self-check still answer.
    await this.integrator?.signInitial().catch((error: unknown) => {
      if (!(error instanceof LogIntegrityError)) throw error;
      this.refuse(error);
    });
    if (this.config.AUDIT_INTEGRATE_POLL_MS > 0) this.timer = setInterval(() => void this.poll(), this.config.AUDIT_INTEGRATE_POLL_MS);
    this.notify();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Counted each time; logged at most once a minute, for every wake-up and poll tries again. */
  private refuse(error: LogIntegrityError): void {
    this.refused.inc();
    this.refusalLog.write((held) => this.logger.error(`not signing, the log was altered behind the service: ${error.message}${heldBackNote(held)}`));
  }

  /**
   * The safety net: integrates only when something is staged (one read, not an empty transaction).
   * One check at a time: a slow one (a busy database) must not pile up more on every tick.
   */
  private async poll(): Promise<void> {
    if (this.running || this.polling || this.stopped || !this.integrator) return;
    this.polling = true;
    try {
      const staged = await this.integrator.hasStaged().catch(() => true); // unsure: let the integration find out
      if (staged) this.notify();
    } finally {
      this.polling = false;
    }
  }

  notify(): void {
    if (this.stopped || !this.integrator) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // A short gathering window: a burst becomes one batch and one checkpoint, not one per Kafka batch.
    this.running = new Promise((resolve) => setTimeout(resolve, this.config.AUDIT_INTEGRATE_DELAY_MS)).then(() => this.drain()).finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.notify();
      }
    });
  }

  private async drain(): Promise<void> {
    const integrator = this.integrator as Integrator;
    try {
      // A batch short of AUDIT_BATCH_MAX took all that was staged: no empty transaction to find that
      // out. Entries staged since wake this loop again (`again`); another replica's, the poll.
      for (;;) {
        const { added, size } = await integrator.integrateOnce();
        this.integrated.inc(added);
        if (size !== null) {
          if (!this.registry.getSingleMetric('audit_tree_size')) this.registry.registerMetric(this.size);
          this.size.set(size);
        }
        if (added < this.config.AUDIT_BATCH_MAX || this.stopped) break;
      }
    } catch (error) {
      // Altered: nothing is signed over it; the entries stay staged, and every try says so.
      if (error instanceof LogIntegrityError) this.refuse(error);
      else {
        // A database hiccup: the staged entries stay staged and the next wake-up or poll retries (every 250 ms: throttled).
        this.failureLog.write((held) => this.logger.warn(`integration failed, will retry: ${(error as Error).message}${heldBackNote(held)}`));
      }
    }
  }
}
