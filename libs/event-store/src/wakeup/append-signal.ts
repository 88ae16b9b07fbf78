import type { Notification, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { appendedChannel } from '../schema/tables';

/**
 * Wakes a reader when events are committed (LISTEN on the append channel, or another channel a
 * service notifies at commit, e.g. a work queue) and, as a safety net for lost notifications or
 * a dropped listener, every `pollIntervalMs`.
 */
export class AppendSignal {
  private client: PoolClient | undefined;
  private release: ((error?: Error) => void) | undefined;
  private pending = false;
  private waiter: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly pollIntervalMs: number,
    private readonly channel: string = appendedChannel,
  ) {}

  async start(): Promise<void> {
    const [client, release] = (await (this.dataSource.driver as PostgresDriver).obtainMasterConnection()) as [
      PoolClient,
      (error?: Error) => void,
    ];
    this.client = client;
    this.release = release;
    client.on('notification', this.onNotification);
    // A dropped listener degrades to polling; the reader keeps working.
    client.on('error', this.onListenerError);
    await client.query(`LISTEN ${this.channel}`);
  }

  /** Resolves at the next notification or poll tick (at once if one arrived since the last call). */
  next(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.timer = setTimeout(() => this.wake(), this.pollIntervalMs);
    });
  }

  /** Wakes the current or next waiter, e.g. to let it observe a stop request. */
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
      client.off('error', this.onListenerError);
    }
  }

  private readonly onNotification = (message: Notification): void => {
    if (message.channel === this.channel) this.wake();
  };

  private readonly onListenerError = (): void => {
    this.client = undefined;
    this.release?.(new Error('listener connection failed'));
  };
}
