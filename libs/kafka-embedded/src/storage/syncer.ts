import { fdatasync } from 'node:fs';

export type FsyncPolicy = 'always' | 'interval' | 'never';

/**
 * Decides when written bytes reach the disk. Every append is written to the file
 * (page cache) before it is acknowledged, so a killed process never loses an ack:
 * - 'always': acks wait for fdatasync of every file touched (grouped across concurrent
 *   requests), so an acknowledged write also survives a power loss or OS crash.
 * - 'interval' (default): files are fdatasync'ed every `intervalMs`; an OS crash can lose
 *   up to that window.
 * - 'never': the OS flushes when it likes, as Kafka does by default.
 */
export class Syncer {
  private dirty = new Set<number>();
  private inFlight: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly policy: FsyncPolicy,
    private readonly onError: (err: Error) => void,
    intervalMs = 1000,
  ) {
    if (policy === 'interval') {
      this.timer = setInterval(() => void this.flush(), intervalMs);
      this.timer.unref();
    }
  }

  markDirty(fd: number): void {
    if (this.policy !== 'never') this.dirty.add(fd);
  }

  /** Forget a file that is about to be closed. */
  forget(fd: number): void {
    this.dirty.delete(fd);
  }

  /** Resolves when the writes made so far are durable under the policy. */
  durable(): Promise<void> {
    return this.policy === 'always' ? this.flush() : Promise.resolve();
  }

  /** Group commit: one fdatasync per dirty file covers every write made before it starts. */
  flush(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.syncDirty().finally(() => {
        this.inFlight = null;
      });
      return this.inFlight;
    }
    if (!this.next) {
      this.next = this.inFlight.then(() => {
        this.next = null;
        return this.flush();
      });
    }
    return this.next;
  }

  private async syncDirty(): Promise<void> {
    const fds = [...this.dirty];
    this.dirty.clear();
    await Promise.all(
      fds.map(
        (fd) =>
          new Promise<void>((resolve) =>
            fdatasync(fd, (err) => {
              if (err && err.code !== 'EBADF') this.onError(err);
              resolve();
            }),
          ),
      ),
    );
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
