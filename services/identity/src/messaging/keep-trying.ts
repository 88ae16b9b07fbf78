import type { Logger } from '@nestjs/common';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a Kafka-facing worker without holding up the HTTP API: the registry keeps answering
 * (its events wait in the outbox) while the broker is unreachable, and readiness says so.
 * Between attempts the worker is stopped, so a half-started one releases its connections.
 */
export class KeepTrying {
  private stopping = false;
  private attempt: Promise<void> = Promise.resolve();

  constructor(
    private readonly what: string,
    private readonly logger: Logger,
    private readonly retryDelayMs = 2_000,
  ) {}

  start(worker: { start(): Promise<void>; stop(): Promise<void> }): void {
    this.attempt = (async () => {
      while (!this.stopping) {
        try {
          await worker.start();
          this.logger.log(`${this.what} started`);
          return;
        } catch (error) {
          this.logger.warn(`${this.what} could not start (${error instanceof Error ? error.message : String(error)}); retrying`);
          await worker.stop().catch(() => undefined);
          if (!this.stopping) await sleep(this.retryDelayMs);
        }
      }
    })();
  }

  /** Waits for a start in progress to settle, so the caller can then stop the worker. */
  async halt(): Promise<void> {
    this.stopping = true;
    await this.attempt;
  }
}
