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
const toLeg = (r: LegRow): LegRecord => ({ legId: r.leg_id, callId: r.call_id, accountId: r.account_id, carrierCallId: r.carrier_call_id });

export const findLeg = async (manager: EntityManager, legId: string): Promise<LegRecord | undefined> => {
  const rows: LegRow[] = await manager.query(`${selectLeg} WHERE leg_id = $1`, [legId]);
  return rows[0] && toLeg(rows[0]);
};

export const findLegOfCall = async (manager: EntityManager, callId: string): Promise<LegRecord | undefined> => {
  const rows: LegRow[] = await manager.query(`${selectLeg} WHERE call_id = $1`, [callId]);
  return rows[0] && toLeg(rows[0]);
};

/** The first callback or the dispatcher, whichever commits first, tells us the carrier's id. */
export const recordCarrierCallId = (manager: EntityManager, legId: string, carrierCallId: string): Promise<unknown> =>
  manager.query(`UPDATE carrier_legs SET carrier_call_id = $2 WHERE leg_id = $1 AND carrier_call_id IS NULL`, [legId, carrierCallId]);

/** Whether this (carrier call, status, sequence) was applied before. */
export const callbackSeen = async (manager: EntityManager, callback: CallbackKey): Promise<boolean> => {
  const rows: unknown[] = await manager.query(
    `SELECT 1 FROM carrier_callbacks WHERE carrier_call_id = $1 AND status = $2 AND sequence = $3`,
    [callback.carrierCallId, callback.status, callback.sequence],
  );
  return rows.length > 0;
};

/**
 * Records a callback as applied. A concurrent copy that got here first makes the insert fail on
 * the primary key, which rolls the whole step back; the retry then sees the copy as seen.
 */
export const recordCallback = (manager: EntityManager, callback: CallbackKey): Promise<unknown> =>
  manager.query(`INSERT INTO carrier_callbacks (carrier_call_id, status, sequence) VALUES ($1, $2, $3)`, [
    callback.carrierCallId, callback.status, callback.sequence,
  ]);

export interface CallbackKey {
  readonly carrierCallId: string;
  readonly status: string;
  readonly sequence: number;
}
