import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_CONFIG } from '@homeline/platform';
import { DataSource } from 'typeorm';
import { updateCall } from '../application/call-stream';
import { expireDeadline } from '../domain';
import { callTimeouts, type CallsConfig } from '../config';

/**
 * Expires the waiting step of calls whose deadline has passed. Several instances may run: they
 * serialise on each call's lock, and the Call decider ignores an expiry that no longer applies
 * (the call moved on, or already ended), so a late or repeated tick changes nothing.
 */
@Injectable()
export class DeadlineScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeadlineScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly dataSource: DataSource, @Inject(SERVICE_CONFIG) private readonly config: CallsConfig) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.expireDue()
        .catch((error) => this.logger.error(`deadline sweep failed: ${error instanceof Error ? error.message : error}`))
        .finally(() => (this.running = undefined));
    }, this.config.CALL_DEADLINE_POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * One sweep: each due call in its own transaction, so one bad call cannot hold back the rest.
   * The call's own lock is taken before its deadline row is touched, in the same order as every
   * other writer of calls, so a sweep and a consumer racing on one call wait rather than deadlock;
   * several schedulers may pick the same call, and the Call decider ignores an expiry that no
   * longer applies.
   */
  async expireDue(): Promise<void> {
    const due: { call_id: string }[] = await this.dataSource.query(
      `SELECT call_id FROM call_deadlines WHERE due_at <= now() ORDER BY due_at LIMIT 500`,
    );
    for (const { call_id: callId } of due) {
      await this.expire(callId).catch((error) =>
        this.logger.error(`could not expire call ${callId}: ${error instanceof Error ? error.message : error}`),
      );
    }
  }

  private expire(callId: string): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      // The database's clock decides what is due, and the same instant is the command's `now`.
      const [{ now }]: { now: Date }[] = await manager.query('SELECT now() AS now');
      const expiry = expireDeadline(callId, now.toISOString());
      const { newEvents } = await updateCall(manager, callId, () => [expiry], callTimeouts(this.config));
      if (newEvents.length === 0) await manager.query('DELETE FROM call_deadlines WHERE call_id = $1 AND due_at <= $2', [callId, now]);
    });
  }
}
