import { Logger } from '@nestjs/common';

/**
 * Starts a Kafka-facing worker (consumer, relay) without holding up the service: the HTTP API and
 * health endpoints come up at once, /health/ready says whether Kafka is reachable, and the worker
 * keeps trying with capped backoff until it starts or the service stops.
 */
export class BackgroundStart {
  private stopped = false;
  private started = false;
  private attempt: Promise<void> | undefined;
  /** Ends the wait between two attempts at once: a stop must not sit out a backoff of up to 30 s. */
  private wake: (() => void) | undefined;
  private readonly logger: Logger;

  constructor(private readonly what: string, private readonly start: () => Promise<void>, private readonly stop: () => Promise<void>) {
    this.logger = new Logger(what);
  }

  begin(): void {
    this.attempt = this.keepTrying();
  }

  /** Waits for a start in progress, then stops the worker if it had started. */
  async end(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.attempt;
    if (this.started) await this.stop();
  }

  private async keepTrying(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.start();
        this.started = true;
        return;
      } catch (error) {
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        this.logger.warn(`could not start (attempt ${attempt}), retrying in ${delay} ms: ${error instanceof Error ? error.message : error}`);
        await this.stop().catch(() => undefined);
        if (this.stopped) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }
}
