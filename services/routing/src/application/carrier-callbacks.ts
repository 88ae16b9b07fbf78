import { currentTraceparent, GroupCommit, runUnitOfWork, treatUniqueViolationAsRace, type Clock } from '@homeline/event-store';
import type { DataSource } from 'typeorm';
import { isLegFinal, type CarrierLegState, type RecordCarrierStatus } from '../domain';
import type { LegStatusCallback } from './carrier.port';
import type { CarrierLegs, LegRecord } from './ports';
import { legStreamId, type LegCommands } from './streams';

/**
 * applied: the leg (or inbound call) moved; ignored: a late or overtaken callback that changed
 * nothing; unknown_leg / unknown_call: not a leg or inbound call of ours.
 */
/** `held`: a hang-up about an inbound call whose offer is not recorded yet, kept for that offer. */
export type CallbackOutcome = 'applied' | 'ignored' | 'duplicate' | 'held' | 'unknown_leg' | 'unknown_call';

const commandOf = (callback: LegStatusCallback, leg: LegRecord): RecordCarrierStatus => ({
  type: 'RecordCarrierStatus',
  legId: callback.legId,
  carrierCallId: callback.carrierCallId,
  status: callback.status,
  sequence: callback.sequence,
  appliedSequence: leg.appliedSequence,
  sipCode: callback.sipCode,
  q850: callback.q850,
  // The carrier's own time of the status: an answer is timed from when it happened, not from when we heard.
  now: callback.occurredAt,
});

/**
 * A leg whose placement was given up (every try failed as far as we could tell: timed out, say)
 * failed with no carrier call, and its call with it; a callback that names a live carrier call for
 * it is the carrier saying it placed the leg after all. Nothing else would ever hang that up (the
 * leg is over, so the call's end releases nothing): the callee's phone would ring, and be answered,
 * for a call nobody is on. Only the first callback to name the carrier call asks (the row then
 * holds it); two at the same instant may ask twice, which hangs up the same carrier call.
 */
const placedAfterGivingUp = (callback: LegStatusCallback, leg: LegRecord, state: CarrierLegState): boolean =>
  leg.carrierCallId === null && state.status === 'failed' &&
  (callback.status === 'ringing' || callback.status === 'answered');

// Two copies of one callback at once: the second's statement fails on this key, then finds it seen.
treatUniqueViolationAsRace('carrier_callbacks_pkey');

interface Received {
  readonly callback: LegStatusCallback;
  /** The trace of the request that brought it: its events continue that trace, whichever batch writes them. */
  readonly traceparent: string | null;
}

/**
 * Carrier status callbacks about outbound legs. Each is read, decided and written as part of a
 * unit of work: read the legs and whether each (carrierCallId, status, sequence) was seen, let the
 * leg decider say what each means given the leg so far and the highest sequence applied, and write
 * the events with the callbacks' records in one statement. Callbacks that arrive together are
 * applied together (GroupCommit): under load one read and one write serve many of them. Lost
 * races (a callback of the same leg at once, two copies of one) are retried on a fresh read.
 */
export class CarrierCallbacks {
  private readonly group = new GroupCommit((received: readonly Received[]) => this.applyAll(received));

  constructor(
    private readonly dataSource: DataSource,
    private readonly legs: CarrierLegs,
    private readonly legCommands: LegCommands,
    private readonly clock: Clock,
  ) {}

  apply(callback: LegStatusCallback): Promise<CallbackOutcome> {
    return this.group.submit({ callback, traceparent: currentTraceparent() });
  }

  /** A leg's callbacks are applied one after another (each decided on the leg the previous left); others at once. */
  private async applyAll(received: readonly Received[]): Promise<CallbackOutcome[]> {
    const outcomes: CallbackOutcome[] = [];
    let rest = received.map((item, index) => ({ item, index }));
    while (rest.length > 0) {
      const legs = new Set<string>();
      const round = rest.filter(({ item }) => !legs.has(item.callback.legId) && legs.add(item.callback.legId));
      const results = await this.applyRound(round.map(({ item }) => item));
      round.forEach(({ index }, i) => (outcomes[index] = results[i]));
      rest = rest.filter((entry) => !round.includes(entry));
    }
    return outcomes;
  }

  private applyRound(received: readonly Received[]): Promise<CallbackOutcome[]> {
    return runUnitOfWork(this.dataSource.manager, async (uow) => {
      const found = await this.legs.forCallbacks(uow.reads, received.map((r) => r.callback));
      const outcomes: CallbackOutcome[] = [];
      const applying: { index: number; callback: LegStatusCallback; leg: LegRecord; traceparent: string | null }[] = [];
      received.forEach(({ callback, traceparent }, index) => {
        const leg = found[index]?.leg;
        if (!leg || (leg.carrierCallId !== null && leg.carrierCallId !== callback.carrierCallId)) outcomes[index] = 'unknown_leg';
        else if (found[index]?.seen) outcomes[index] = 'duplicate';
        else applying.push({ index, callback, leg, traceparent });
      });
      const now = this.clock.now();
      const decided = await this.legCommands.stage(uow, applying.map(({ callback, leg, traceparent }) => ({
        streamId: legStreamId(leg.legId),
        commands: [commandOf(callback, leg)],
        metadata: { accountId: leg.accountId, now, traceparent },
      })));
      const records = applying.map(({ index, callback }, i) => {
        const applied = decided[i].newEvents.length > 0;
        outcomes[index] = applied ? 'applied' : 'ignored';
        return { callback, applied, ended: isLegFinal(decided[i].state) };
      });
      for (const write of this.legs.recordCallbacks(records)) uow.also(write);
      const strays = applying.filter(({ callback, leg }, i) => placedAfterGivingUp(callback, leg, decided[i].state)).map(({ leg }) => leg.legId);
      if (strays.length > 0) uow.also(this.legs.hangUpPlacedAfterAll(strays));
      return outcomes;
    });
  }
}
