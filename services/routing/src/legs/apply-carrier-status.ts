import { appendToStream, fold, isStreamVersionConflict, readStream } from '@homeline/event-store';
import type { DataSource } from 'typeorm';
import type { CarrierStatusCallback } from '../carrier/carrier.port';
import { routeStreamId } from '../decision/route-events';
import { findLeg, markLegFinal, recordCallback, recordCarrierCallId } from './carrier-legs';
import { decideLeg, evolveLeg, initialLegState, isLegFinal, type LegEvent } from './leg-decider';

export type CallbackOutcome = 'applied' | 'duplicate' | 'unknown_leg';

const legDecider = { evolve: evolveLeg, initialState: initialLegState };

/**
 * One carrier callback, in one transaction: dedupe on (carrierCallId, status, sequence), fold
 * the call's route stream, let the leg decider say what happened, append it. A concurrent
 * callback for the same leg makes the append conflict; the whole step then runs again.
 */
export const applyCarrierStatus = async (dataSource: DataSource, callback: CarrierStatusCallback, attempts = 5): Promise<CallbackOutcome> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction(async (manager) => {
        const leg = await findLeg(manager, callback.legId);
        if (!leg || (leg.carrierCallId !== null && leg.carrierCallId !== callback.carrierCallId)) return 'unknown_leg';
        if (!(await recordCallback(manager, callback))) return 'duplicate';
        await recordCarrierCallId(manager, leg.legId, callback.carrierCallId);
        const streamId = routeStreamId(leg.callId);
        const stream = await readStream(manager, streamId);
        const state = fold(legDecider, stream.events as never);
        const events: LegEvent[] = decideLeg({ type: 'ApplyCarrierStatus', callback, releasedLocally: leg.hangUpRequested }, state);
        if (events.length === 0) return 'applied';
        await appendToStream(manager, streamId, events, {
          expectedVersion: stream.currentVersion,
          source: 'routing',
          correlationId: leg.callId,
          accountId: leg.accountId,
          now: new Date(callback.occurredAt),
        });
        if (isLegFinal(fold(legDecider, events as never, state))) await markLegFinal(manager, leg.legId);
        return 'applied';
      });
    } catch (error) {
      if (!isStreamVersionConflict(error) || attempt >= attempts) throw error;
    }
  }
};
