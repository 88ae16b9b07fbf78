import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_CONFIG } from '@homeline/platform';
import { DataSource } from 'typeorm';
import { updateCall } from '../application/call-stream';
import { expireDeadline } from '../domain';
import { callTimeouts, type CallsConfig } from '../config';

/**
 * Expires the waiting step of calls whose deadline has passed. Several instances may run: each
 * claims due rows with SKIP LOCKED, and the Call decider ignores an expiry that no longer applies
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

  /** One sweep: each due call in its own transaction, so one bad call cannot hold back the rest. */
  async expireDue(): Promise<void> {
    for (let swept = 0; swept < 500; swept++) {
      const expired = await this.dataSource.transaction(async (manager) => {
        // The database's clock decides what is due, and the same instant is the command's `now`.
        const due: { call_id: string; now: Date }[] = await manager.query(
          `SELECT call_id, now() AS now FROM call_deadlines WHERE due_at <= now() ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
        );
        if (due.length === 0) return false;
        const [{ call_id: callId, now }] = due;
        const { newEvents } = await updateCall(manager, callId, () => [expireDeadline(callId, now.toISOString())], callTimeouts(this.config));
        if (newEvents.length === 0) await manager.query('DELETE FROM call_deadlines WHERE call_id = $1 AND due_at <= now()', [callId]);
        return true;
      });
      if (!expired) return;
    }
  }
}
