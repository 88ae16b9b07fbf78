import { randomUUID } from 'node:crypto';

/**
 * Time and identity come from ports, injected at the edges: a command carries `now` and the ids
 * it needs (docs/style.md), so deciders stay pure and tests can fix both.
 */
export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  next(): string;
}

export const systemClock: Clock = { now: () => new Date() };

export const randomIds: IdGenerator = { next: () => randomUUID() };

/** A clock that stands still until moved: for tests of time-dependent handlers. */
export class FixedClock implements Clock {
  constructor(private current: Date) {}

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
