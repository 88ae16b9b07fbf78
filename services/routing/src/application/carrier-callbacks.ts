import { runUnitOfWork, treatUniqueViolationAsRace, type Clock } from '@homeline/event-store';
import type { DataSource } from 'typeorm';
import { isLegFinal, type RecordCarrierStatus } from '../domain';
import type { LegStatusCallback } from './carrier.port';
import type { CarrierLegs, LegRecord } from './ports';
import { legStreamId, type LegCommands } from './streams';

/**
 * applied: the leg (or inbound call) moved; ignored: a late or overtaken callback that changed
 * nothing; unknown_leg / unknown_call: not a leg or inbound call of ours.
 */
export type CallbackOutcome = 'applied' | 'ignored' | 'duplicate' | 'unknown_leg' | 'unknown_call';

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

// Two copies of one callback at once: the second's statement fails on this key, then finds it seen.
treatUniqueViolationAsRace('carrier_callbacks_pkey');

/**
 * One carrier status callback, as one unit of work: read the leg and whether (carrierCallId,
 * status, sequence) was seen, let the leg decider say what it means given the leg so far and the
 * highest sequence applied, and write its events with the callback's record in one statement.
 * Lost races (two callbacks of one leg at once, two copies of one) are retried on a fresh read.
 */
export class CarrierCallbacks {
  constructor(
    private readonly dataSource: DataSource,
    private readonly legs: CarrierLegs,
    private readonly legCommands: LegCommands,
    private readonly clock: Clock,
  ) {}

  apply(callback: LegStatusCallback): Promise<CallbackOutcome> {
    return runUnitOfWork(this.dataSource.manager, async (uow) => {
      const found = await this.legs.forCallback(uow.reads, callback);
      if (!found || (found.leg.carrierCallId !== null && found.leg.carrierCallId !== callback.carrierCallId))
        return 'unknown_leg';
      if (found.seen) return 'duplicate';
      const { leg } = found;
      const [{ newEvents, state }] = await this.legCommands.stage(uow, [{
        streamId: legStreamId(leg.legId),
        commands: [commandOf(callback, leg)],
        metadata: { accountId: leg.accountId, now: this.clock.now() },
      }]);
      for (const write of this.legs.recordCallback(callback, { applied: newEvents.length > 0, ended: isLegFinal(state) })) uow.also(write);
      return newEvents.length > 0 ? 'applied' : 'ignored';
    });
  }
}
