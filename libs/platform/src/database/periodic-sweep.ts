import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { z } from 'zod';

/** What a service with an inbox keeps, and for how long (calls, identity, routing). */
export const retentionEnv = {
  /**
   * How long a consumed event's inbox row is kept: past this, a delivery of the same event again
   * would have effects again. Keep it longer than an event can stay in a topic: Kafka deletes a
   * whole segment once its newest record is past retention.ms, so that is retention.ms plus
   * segment.ms (7 days and 1 day in deploy/k8s): 9 days by default.
   */
  INBOX_RETENTION_HOURS: z.coerce.number({ error: 'expected a number of hours' }).int().min(1).default(216),
};

/**
 * A service's sweep of what it keeps only for a while: `sweep` runs every `intervalMs` after the
 * previous run ended, from the application's start until its shutdown (which waits for a run in
 * progress); one run at a time, a failure logged and the next run coming as usual. Replicas may
 * all sweep: what each forgets is gone once, whoever gets to it.
 */
export abstract class PeriodicSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(this.constructor.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  protected constructor(private readonly intervalMs: number) {}

  /** One sweep, batch after batch until the backlog is gone; public for tests. */
  abstract sweep(): Promise<unknown>;

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .catch((error: unknown) => this.logger.error(`sweep failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => this.schedule());
    }, this.intervalMs);
  }
}
