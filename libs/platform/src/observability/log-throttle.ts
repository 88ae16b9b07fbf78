/**
 * A line that a retrying loop would write on every try (the database away for a minute: a line
 * every 250 ms) is written at most once per `everyMs`, with how many were held back since the
 * last one: an outage reads as a few lines, not a flood that hides what else happened.
 */
export class LogThrottle {
  private last = -Infinity;
  private heldBack = 0;

  constructor(
    private readonly everyMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Calls `write` with the number of lines held back since the last one written, or holds this one back. */
  write(write: (heldBack: number) => void): void {
    const now = this.now();
    if (now - this.last < this.everyMs) {
      this.heldBack++;
      return;
    }
    const heldBack = this.heldBack;
    this.last = now;
    this.heldBack = 0;
    write(heldBack);
  }
}

/** ` (3 more like it since the last)`, or nothing: for the end of a throttled line. */
export const heldBackNote = (heldBack: number): string => (heldBack > 0 ? ` (${heldBack} more like it since the last)` : '');
