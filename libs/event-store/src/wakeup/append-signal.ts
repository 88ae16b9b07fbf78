import type { Notification, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { appendedChannel } from '../schema/tables';

/**
 * Wakes a reader when events are committed (LISTEN on the append channel, or another channel a
 * service notifies at commit, e.g. a work queue) and, as a safety net for lost notifications or
 * a dropped listener, every `pollIntervalMs`. The listening connection is the reader's own; it
 * can also hold the reader's session lock (holdLock), so a reader needs one connection, not two.
 * A dropped connection is replaced at the next holdLock (or start), and polling covers the gap.
 */
export class AppendSignal {
  private client: PoolClient | undefined;
  private release: ((error?: Error) => void) | undefined;
  private lockHeld = false;
  private pid: number | undefined;
  private pending = false;
  private waiter: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly pollIntervalMs: number,
    private readonly channel: string = appendedChannel,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  /**
   * Holds a session advisory lock named `name` on the listening connection, taking it if free.
   * PostgreSQL releases it when the connection ends, however its holder died, so whoever holds it
   * is the one live holder. False when another session holds it (or the database is away).
   */
  async holdLock(name: string): Promise<boolean> {
    if (this.lockHeld && this.client) return true;
    try {
      if (!this.client) await this.connect();
      const { rows } = await this.client!.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
        [name],
      );
      this.lockHeld = rows[0].locked;
    } catch {
      this.drop(new Error('listener connection failed'));
    }
    return this.lockHeld;
  }

  /**
   * The PostgreSQL backend pid of the listening connection, connecting first if it was dropped;
   * null while the database is away. It names this reader's session to other sessions: it is
   * gone from pg_stat_activity as soon as this process is.
   */
  async sessionPid(): Promise<number | null> {
    try {
      if (!this.client) await this.connect();
      if (this.pid === undefined) {
        const { rows } = await this.client!.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`);
        this.pid = rows[0].pid;
      }
      return this.pid;
    } catch {
      this.drop(new Error('listener connection failed'));
      return null;
    }
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
    if (!client) return;
    try {
      await client.query(`UNLISTEN ${this.channel}`);
      if (this.lockHeld) await client.query(`SELECT pg_advisory_unlock_all()`);
      this.drop();
    } catch (error) {
      this.drop(error as Error);
    }
  }

  private async connect(): Promise<void> {
    const [client, release] = (await (this.dataSource.driver as PostgresDriver).obtainMasterConnection()) as [
      PoolClient,
      (error?: Error) => void,
    ];
    this.client = client;
    this.release = release;
    client.on('notification', this.onNotification);
    // A dropped listener degrades to polling until the connection is replaced.
    client.on('error', this.onListenerError);
    await client.query(`LISTEN ${this.channel}`);
  }

  private drop(error?: Error): void {
    const client = this.client;
    this.client = undefined;
    this.lockHeld = false;
    this.pid = undefined;
    client?.off('notification', this.onNotification);
    client?.off('error', this.onListenerError);
    const release = this.release;
    this.release = undefined;
    release?.(error);
  }

  private readonly onNotification = (message: Notification): void => {
    if (message.channel === this.channel) this.wake();
  };

  private readonly onListenerError = (): void => this.drop(new Error('listener connection failed'));
}
