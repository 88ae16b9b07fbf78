import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { runInTransaction } from '@homeline/event-store';
import { heldBackNote, LogThrottle, SERVICE_CONFIG } from '@homeline/platform';
import { DataSource } from 'typeorm';
import { CallWrites } from '../application/call-writes';
import { expireDeadline } from '../domain';
import type { CallsConfig } from '../config';
import { SqlDeadlineStore } from './deadline-store';

const sweepSize = 500;

/**
 * Expires the waiting step of calls whose deadline has passed. It sleeps until the next deadline
 * (told at once of sooner ones this process schedules), and never longer than
 * CALL_DEADLINE_POLL_MS, which covers deadlines other replicas schedule; an idle service costs
 * one query per poll. Several instances may sweep: the Call decider ignores an expiry that no
 * longer applies, and a sweep that races a consumer on a call retries on a fresh read.
 */
@Injectable()
export class DeadlineScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeadlineScheduler.name);
  /** The database away: a line every 10 s, not one per sweep. */
  private readonly failureLog = new LogThrottle(10_000);
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly writes: CallWrites,
    private readonly store: SqlDeadlineStore,
    @Inject(SERVICE_CONFIG) private readonly config: CallsConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.store.onScheduled = (earliest) => this.wakeBy(earliest.getTime());
    this.wakeBy(Date.now());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Expires every due call (in sweeps of 500), then returns; exposed for tests. */
  async expireDue(): Promise<void> {
    for (;;) {
      const { now, callIds } = await this.store.due(this.dataSource, sweepSize);
      if (callIds.length === 0) return;
      await runInTransaction(this.dataSource, async (tx) => {
        const expiries = callIds.map((callId) => ({ callId, commands: [expireDeadline(callId, now.toISOString())] }));
        const outcomes = await this.writes.run(tx, expiries);
        const unchanged = callIds.filter((_, i) => outcomes[i].newEvents.length === 0);
        await this.store.dropPassed(tx, unchanged, now);
      });
      if (callIds.length < sweepSize) return;
    }
  }

  private wakeBy(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.tick(), Math.max(0, at - Date.now()));
  }

  private tick(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.running) return; // the sweep in progress re-arms the timer when it ends
    this.running = this.sweepAndSleep().finally(() => (this.running = undefined));
  }

  private async sweepAndSleep(): Promise<void> {
    let sleepUntil = Date.now() + this.config.CALL_DEADLINE_POLL_MS;
    try {
      await this.expireDue();
      const { now, at } = await this.store.next(this.dataSource);
      if (at) sleepUntil = Math.min(sleepUntil, Date.now() + Math.max(1, at.getTime() - now.getTime()));
    } catch (error) {
      this.failureLog.write((held) => this.logger.error(`deadline sweep failed: ${error instanceof Error ? error.message : error}${heldBackNote(held)}`));
    }
    this.wakeBy(sleepUntil); // unless a deadline scheduled during the sweep armed a sooner timer
  }
}
