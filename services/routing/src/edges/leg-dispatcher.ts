import { Logger } from '@nestjs/common';
import { AppendSignal, type IdGenerator } from '@homeline/event-store';
import { heldBackNote, LogThrottle } from '@homeline/platform';
import type { DataSource } from 'typeorm';
import type { CarrierWork } from '../application/carrier-work';
import type { CarrierRequests } from '../application/ports';
import { carrierRequestsChannel } from './sql/carrier-legs.sql';

/** Slots kept for emergency placements: slow requests at the carrier never take the last of them. */
const emergencySlots = 2;

/** Whether the carrier may be asked now (an open circuit holds the queue rather than failing it). */
export interface CarrierGate {
  /** How many requests may go to the carrier now, and, when none, in how many ms to look again (null: when told). */
  admits(): { readonly requests: number; readonly retryInMs: number | null };
  /** Called whenever `admits` may answer otherwise (the circuit opened, half-opened or closed). */
  onChange(listener: () => void): void;
}

export interface LegDispatcherOptions {
  /** Safety net for a lost notification: a slow poll, since NOTIFY and the next due time wake it otherwise. */
  readonly pollMs: number;
  /** Requests at the carrier at once; a slow carrier delays only what waits for a free slot. */
  readonly maxInFlight?: number;
  /**
   * How long a claim holds; longer than any carrier call takes. A dispatcher that dies loses its
   * claims sooner, with its PostgreSQL session; the lease is for a session that lingers.
   */
  readonly leaseMs?: number;
  /** The carrier's circuit: while it is open nothing but emergency placements is claimed, so an outage burns no request's attempts. */
  readonly gate?: CarrierGate;
}

/**
 * Works the carrier request queue: claims due requests (a short statement of their own), then
 * has each carried out (CarrierWork: call the carrier, record the outcome) while it claims more
 * as slots free up. It sleeps until a request is queued (NOTIFY), the next one falls due, a slot
 * frees up, or the slow safety-net poll; on start it takes what a crash left.
 */
export class LegDispatcher {
  private readonly logger = new Logger(LegDispatcher.name);
  /** The database away: a line every 10 s, not one per try. */
  private readonly claimFailureLog = new LogThrottle(10_000);
  private readonly wakeup: AppendSignal;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    dataSource: DataSource,
    private readonly requests: CarrierRequests,
    private readonly work: CarrierWork,
    private readonly ids: IdGenerator,
    private readonly options: LegDispatcherOptions,
  ) {
    this.wakeup = new AppendSignal(dataSource, options.pollMs, carrierRequestsChannel);
  }

  async start(): Promise<void> {
    await this.wakeup.start();
    this.options.gate?.onChange(() => this.wakeup.wake());
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming, lets the requests at the carrier finish and record, then stops listening. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeup.wake();
    await this.loop;
    await Promise.all(this.inFlight);
    await this.wakeup.stop();
  }

  /**
   * Claims what is due while there is room. Emergency placements come first, and are claimed even
   * while the circuit holds the rest (they do not go through it: carrier-http.ts) and when every
   * slot but the ones kept for them is taken by slow requests.
   */
  private async run(): Promise<void> {
    while (this.running) {
      const gate = this.options.gate?.admits() ?? { requests: Infinity, retryInMs: null };
      const free = this.maxInFlight - this.inFlight.size;
      const room = Math.min(free - emergencySlots, gate.requests);
      const emergencyOnly = room <= 0;
      const limit = emergencyOnly ? free : room;
      let nextDueInMs: number | null = null;
      if (limit > 0) {
        try {
          // Claims name this dispatcher's session: should it die, another dispatcher takes them over at once.
          const holder = await this.wakeup.sessionPid();
          const claimed = await this.requests.claim(limit, this.options.leaseMs ?? 30_000, this.ids.next(), holder, emergencyOnly);
          claimed.claimed.forEach((request) => this.carryOut(() => this.work.perform(request)));
          if (claimed.claimed.length === limit) continue; // maybe more due: claim again while there is room
          nextDueInMs = claimed.nextDueInMs;
        } catch (error) {
          this.claimFailureLog.write((held) => this.logger.warn(`claiming carrier requests failed, retrying: ${String(error)}${heldBackNote(held)}`));
          nextDueInMs = 1_000;
        }
      }
      // While the circuit holds the rest, wake for them when it may let one through.
      if (gate.requests === 0 && gate.retryInMs !== null) nextDueInMs = nextDueInMs === null ? gate.retryInMs : Math.min(nextDueInMs, gate.retryInMs);
      if (this.running) await this.nextWake(nextDueInMs);
    }
  }

  private carryOut(step: () => Promise<void>): void {
    const done = step()
      .catch((error) =>
        this.logger.warn(`carrier request not recorded; its claim will expire and it runs again: ${String(error)}`),
      )
      .finally(() => {
        // Full for ordinary requests (the rest is kept for emergency placements), or full outright.
        const wasFull = this.inFlight.size >= this.maxInFlight - emergencySlots;
        this.inFlight.delete(done);
        if (wasFull) this.wakeup.wake(); // a slot is free for what waits (a leg's next request notifies by itself)
      });
    this.inFlight.add(done);
  }

  private get maxInFlight(): number {
    return Math.max(this.options.maxInFlight ?? 32, emergencySlots + 1);
  }

  /** The next notification, freed slot or poll tick, or the next due time if that comes first. */
  private async nextWake(dueInMs: number | null): Promise<void> {
    // Due already yet not claimed: another dispatcher is claiming it this instant; look again shortly.
    const wait = dueInMs === null ? null : Math.max(dueInMs, 10);
    const due = wait !== null && wait < this.options.pollMs ? setTimeout(() => this.wakeup.wake(), wait) : undefined;
    await this.wakeup.next();
    clearTimeout(due);
  }
}
