import type { EntityManager } from 'typeorm';

/** A leg as routing tracks it beside its event stream: the call it serves and the carrier's id for it. */
export interface LegRecord {
  readonly legId: string;
  readonly callId: string;
  readonly accountId: string;
  readonly carrierCallId: string | null;
}

type LegRow = { leg_id: string; call_id: string; account_id: string; carrier_call_id: string | null };

const selectLeg = `SELECT leg_id, call_id, account_id, carrier_call_id FROM carrier_legs`;
const toLeg = (r: LegRow): LegRecord => ({
  legId: r.leg_id,
  callId: r.call_id,
  accountId: r.account_id,
  carrierCallId: r.carrier_call_id,
});

export const findLeg = async (manager: EntityManager, legId: string): Promise<LegRecord | undefined> => {
  const rows: LegRow[] = await manager.query(`${selectLeg} WHERE leg_id = $1`, [legId]);
  return rows[0] && toLeg(rows[0]);
};

export const findLegOfCall = async (manager: EntityManager, callId: string): Promise<LegRecord | undefined> => {
  const rows: LegRow[] = await manager.query(`${selectLeg} WHERE call_id = $1`, [callId]);
  return rows[0] && toLeg(rows[0]);
};

/** The dispatcher, once the carrier accepted the leg; a callback may have told us first. */
export const recordCarrierCallId = (manager: EntityManager, legId: string, carrierCallId: string): Promise<unknown> =>
  manager.query(`UPDATE carrier_legs SET carrier_call_id = $2 WHERE leg_id = $1 AND carrier_call_id IS NULL`, [
    legId,
    carrierCallId,
  ]);

export interface CallbackKey {
  readonly legId: string;
  readonly carrierCallId: string;
  readonly status: string;
  readonly sequence: number;
}

/** The leg a callback is about, and whether this (carrier call, status, sequence) was applied before. */
export const findLegOfCallback = async (
  manager: EntityManager,
  callback: CallbackKey,
): Promise<{ readonly leg: LegRecord; readonly seen: boolean } | undefined> => {
  const rows: (LegRow & { seen: boolean })[] = await manager.query(
    `SELECT l.leg_id, l.call_id, l.account_id, l.carrier_call_id,
            EXISTS (SELECT 1 FROM carrier_callbacks c WHERE c.carrier_call_id = $2 AND c.status = $3 AND c.sequence = $4) AS seen
     FROM carrier_legs l WHERE l.leg_id = $1`,
    [callback.legId, callback.carrierCallId, callback.status, callback.sequence],
  );
  return rows[0] && { leg: toLeg(rows[0]), seen: rows[0].seen };
};

/**
 * Records a callback as applied, and the carrier's id for the leg if the dispatcher has not yet.
 * A concurrent copy that got here first makes the insert fail on the primary key, which rolls
 * the whole step back; the retry then finds the copy seen.
 */
export const recordCallback = (manager: EntityManager, callback: CallbackKey): Promise<unknown> =>
  manager.query(
    `WITH seen AS (INSERT INTO carrier_callbacks (carrier_call_id, status, sequence) VALUES ($2, $3, $4))
     UPDATE carrier_legs SET carrier_call_id = $2 WHERE leg_id = $1 AND carrier_call_id IS NULL`,
    [callback.legId, callback.carrierCallId, callback.status, callback.sequence],
  );
