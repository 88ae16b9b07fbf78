import type { Notification, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Resolves `next()` at a NOTIFY on `channel` (sent at commit of the transaction that queued
 * work) or after `pollMs`, whichever comes first; polling covers a lost listener.
 */
export class PgWakeup {
  private client: PoolClient | undefined;
  private release: ((error?: Error) => void) | undefined;
  private pending = false;
  private waiter: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly channel: string,
    private readonly pollMs: number,
  ) {}

  async start(): Promise<void> {
    const [client, release] = (await (this.dataSource.driver as PostgresDriver).obtainMasterConnection()) as [
      PoolClient,
      (error?: Error) => void,
    ];
    this.client = client;
    this.release = release;
    client.on('notification', this.onNotification);
    client.on('error', this.onError);
    await client.query(`LISTEN ${this.channel}`);
  }

  next(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.timer = setTimeout(() => this.wake(), this.pollMs);
    });
  }

  wake(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter();
    else this.pending = true;
  }

  async stop(): Promise<void> {
    this.wake();
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.off('notification', this.onNotification);
    try {
      await client.query(`UNLISTEN ${this.channel}`);
      this.release?.();
    } catch (error) {
      this.release?.(error as Error);
    } finally {
      client.off('error', this.onError);
    }
  }

  private readonly onNotification = (message: Notification): void => {
    if (message.channel === this.channel) this.wake();
  };

  private readonly onError = (): void => {
    this.client = undefined;
    this.release?.(new Error('listener connection failed'));
  };
}
