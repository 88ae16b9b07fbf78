import type { CarrierLegOrder } from '../carrier/carrier.port';
import type { EntityManager } from 'typeorm';

/** NOTIFY channel raised (at commit) whenever a carrier request is queued. */
export const carrierRequestsChannel = 'routing_carrier_requests';

export type CarrierRequest =
  | {
      readonly requestId: string;
      readonly legId: string;
      readonly attempts: number;
      readonly action: 'place';
      readonly payload: CarrierLegOrder;
    }
  | {
      readonly requestId: string;
      readonly legId: string;
      readonly attempts: number;
      readonly action: 'hang_up';
      readonly payload: Record<string, never>;
    };

/** Records a new leg and queues its placement, in the transaction that decided it (one round trip). */
export const queueLegPlacement = async (
  manager: EntityManager,
  accountId: string,
  order: CarrierLegOrder,
): Promise<void> => {
  await manager.query(
    `WITH leg AS (INSERT INTO carrier_legs (leg_id, call_id, account_id) VALUES ($1, $2, $3) RETURNING leg_id)
     INSERT INTO carrier_requests (leg_id, action, payload) SELECT leg_id, 'place', $4 FROM leg
     RETURNING pg_notify($5, '')`,
    [order.legId, order.callId, accountId, JSON.stringify(order), carrierRequestsChannel],
  );
};

/** Queues a hang-up; it runs after any placement still queued for the leg. */
export const queueHangUp = async (manager: EntityManager, legId: string): Promise<void> => {
  await manager.query(
    `INSERT INTO carrier_requests (leg_id, action, payload) VALUES ($1, 'hang_up', '{}') RETURNING pg_notify($2, '')`,
    [legId, carrierRequestsChannel],
  );
};

/**
 * Takes due requests, locking them for the caller's transaction; rows another dispatcher holds
 * are skipped. A leg's requests come in order (a hang-up never overtakes its placement).
 */
export const takeDueRequests = async (manager: EntityManager, limit: number): Promise<CarrierRequest[]> => {
  const rows: { request_id: string; leg_id: string; action: 'place' | 'hang_up'; payload: never; attempts: number }[] =
    await manager.query(
      `SELECT r.request_id::text, r.leg_id, r.action, r.payload, r.attempts FROM carrier_requests r
     WHERE r.available_at <= now()
       AND NOT EXISTS (SELECT 1 FROM carrier_requests e WHERE e.leg_id = r.leg_id AND e.request_id < r.request_id)
     ORDER BY r.request_id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  return rows.map((r) => ({
    requestId: r.request_id,
    legId: r.leg_id,
    attempts: r.attempts,
    action: r.action,
    payload: r.payload,
  }));
};

export const completeRequest = (manager: EntityManager, requestId: string): Promise<unknown> =>
  manager.query(`DELETE FROM carrier_requests WHERE request_id = $1`, [requestId]);

export const retryRequestLater = (manager: EntityManager, requestId: string, delayMs: number): Promise<unknown> =>
  manager.query(
    `UPDATE carrier_requests SET attempts = attempts + 1, available_at = now() + make_interval(secs => $2::float / 1000) WHERE request_id = $1`,
    [requestId, delayMs],
  );
