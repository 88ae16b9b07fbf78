import type { DataSource } from 'typeorm';
import type { CarrierStatusCallback } from '../carrier/carrier.port';
import { findLegOfCallback, recordCallback } from './carrier-legs';
import { decideOnLeg, withStreamRetry } from './leg-stream';

export type CallbackOutcome = 'applied' | 'duplicate' | 'unknown_leg';

/**
 * One carrier callback, in one transaction: dedupe on (carrierCallId, status, sequence), then
 * the leg decider says what it means given the leg so far (late and repeated callbacks mean
 * nothing, a final leg stays final), and that is appended to the call's route stream. The append
 * is the transaction's first write, as the event store asks, so stream order is publish order.
 */
export const applyCarrierStatus = (dataSource: DataSource, callback: CarrierStatusCallback): Promise<CallbackOutcome> =>
  withStreamRetry(dataSource, async (manager) => {
    const found = await findLegOfCallback(manager, callback);
    if (!found || (found.leg.carrierCallId !== null && found.leg.carrierCallId !== callback.carrierCallId))
      return 'unknown_leg';
    if (found.seen) return 'duplicate';
    const { carrierCallId, legId, status, sequence, sipCode, q850, occurredAt } = callback;
    await decideOnLeg(manager, found.leg, {
      type: 'RecordCarrierStatus',
      legId,
      carrierCallId,
      status,
      sequence,
      sipCode,
      q850,
      now: occurredAt,
    });
    await recordCallback(manager, callback);
    return 'applied';
  });
