import { Logger } from '@nestjs/common';
import type { Kafka } from 'kafkajs';

/** The wait before the next start, after `n` failed starts (or quick deaths) in a row: 1 s doubling to 30 s. */
const backoffMs = (n: number): number => Math.min(30_000, 500 * 2 ** Math.min(n, 6));

/** A run that dies sooner than this after its start counts as failing to start: the next waits out a backoff. */
const STAYED_UP_MS = 60_000;

/** The workers each service's Kafka client serves, for readiness (health/kafka.health.ts). */
const workersByClient = new WeakMap<Kafka, Set<BackgroundStart>>();

/** The Kafka workers started with `kafka` (the service's client) that have not started, or not yet. */
export const kafkaWorkersNotRunning = (kafka: Kafka): BackgroundStart[] => [...(workersByClient.get(kafka) ?? [])].filter((w) => !w.running);

/**
 * Starts a Kafka-facing worker (consumer, relay) without holding up the service: the HTTP API and
 * health endpoints come up at once, and the worker keeps trying with capped backoff until it
 * starts or the service stops. Given the service's Kafka client, it counts for readiness: the
 * service is not ready until the worker runs, and the first readiness check that finds Kafka back
 * after one that did not ends the worker's backoff at once (a worker whose broker was away for
 * minutes would otherwise wait up to 30 s more, with nothing consumed).
 *
 * `start` is handed a `died` callback: a worker that stops working after it started (a Kafka
 * consumer that crashed) calls it, and is then stopped and started again the same way, its
 * readiness false meanwhile, rather than restarting on a timer of its own that nothing can see.
 * A run that dies soon after it started (an ACL refusing the topic, a broker flapping) waits out
 * the backoff before the next, as a failed start does: its group is not rejoined in a tight loop.
 */
export class BackgroundStart {
  private stopped = false;
  private started = false;
  private attempt: Promise<void> | undefined;
  /** Ends the wait between two attempts at once: a stop must not sit out a backoff of up to 30 s. */
  private wake: (() => void) | undefined;
  /** Which run a `died` call is about: only the current one's counts. */
  private run = 0;
  /** Set when the current run died before its start returned. */
  private diedEarly: unknown;
  /** When the current run started, and how many runs in a row died sooner than STAYED_UP_MS after it. */
  private startedAt = 0;
  private quickDeaths = 0;
  private readonly logger: Logger;

  constructor(
    readonly what: string,
    private readonly start: (died: (error: unknown) => void) => Promise<void>,
    private readonly stop: () => Promise<void>,
    kafka?: Kafka,
  ) {
    this.logger = new Logger(what);
    if (kafka) {
      const workers = workersByClient.get(kafka) ?? new Set<BackgroundStart>();
      workersByClient.set(kafka, workers.add(this));
    }
  }

  /** Started, and not told to stop. */
  get running(): boolean {
    return this.started && !this.stopped;
  }

  begin(): void {
    this.attempt = this.keepTrying();
  }

  /** Tries again now if the worker waits out a backoff (what it waits for is known to be back). */
  retryNow(): void {
    if (!this.stopped) this.wake?.();
  }

  /** Waits for a start in progress, then stops the worker if it had started. */
  async end(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.attempt;
    if (this.started) await this.stop();
  }

  private died(run: number, error: unknown): void {
    if (run !== this.run || this.stopped) return;
    if (!this.started) {
      this.diedEarly = error ?? new Error('died while starting');
      return;
    }
    this.started = false;
    this.quickDeaths = Date.now() - this.startedAt < STAYED_UP_MS ? this.quickDeaths + 1 : 0;
    const delay = this.quickDeaths > 0 ? backoffMs(this.quickDeaths) : 0;
    this.logger.error(`stopped working, starting again${delay > 0 ? ` in ${delay} ms` : ''}: ${error instanceof Error ? error.message : String(error)}`);
    const previous = this.attempt;
    this.attempt = (async () => {
      await previous;
      await this.stop().catch(() => undefined);
      if (delay > 0) await this.pause(delay);
      await this.keepTrying();
    })();
  }

  private async keepTrying(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        const run = ++this.run;
        this.diedEarly = undefined;
        await this.start((error) => this.died(run, error));
        if (this.diedEarly !== undefined) throw this.diedEarly;
        this.started = true;
        this.startedAt = Date.now();
        if (attempt > 1) this.logger.log(`started (attempt ${attempt})`);
        return;
      } catch (error) {
        const delay = backoffMs(attempt);
        this.logger.warn(`could not start (attempt ${attempt}), retrying in ${delay} ms: ${error instanceof Error ? error.message : error}`);
        await this.stop().catch(() => undefined);
        await this.pause(delay);
      }
    }
  }

  /** Waits `ms`, or less: a stop, or retryNow, ends the wait at once. */
  private async pause(ms: number): Promise<void> {
    if (this.stopped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }
}
