import type { Logger } from '@nestjs/common';
import { z } from 'zod';

/**
 * Runs `step` (one bounded batch, returning how many rows it handled) until a batch comes back
 * short: a backlog is cleared in batches, an idle table costs one statement.
 */
export const drainBatches = async (batchSize: number, step: (limit: number) => Promise<number>): Promise<number> => {
  let total = 0;
  for (;;) {
    const done = await step(batchSize);
    total += done;
    if (done < batchSize) return total;
  }
};

/** What a service with an inbox keeps, and for how long (calls, identity, routing). */
export const retentionEnv = {
  /**
   * How long a consumed event's inbox row is kept: past this, a delivery of the same event again
   * would have effects again. Keep it longer than the topics' retention (7 days in deploy/k8s and
   * in the embedded broker), so that Kafka holds no event the inbox has forgotten.
   */
  INBOX_RETENTION_HOURS: z.coerce.number({ error: 'expected a number of hours' }).int().min(1).default(192),
};

/**
 * Runs `sweep` every `intervalMs` after the previous run ended, until stopped: one run at a time,
 * a failure logged and the next run coming as usual. Replicas may all sweep: what each forgets
 * is gone once, whoever gets to it.
 */
export class PeriodicSweep {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly sweep: () => Promise<unknown>,
  ) {}

  start(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .catch((error: unknown) => this.logger.error(`sweep failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => this.start());
    }, this.intervalMs);
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
