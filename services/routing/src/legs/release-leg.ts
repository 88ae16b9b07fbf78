import type { EntityManager } from 'typeorm';
import { findLegOfCall, markLegFinal } from './carrier-legs';
import { queueHangUp } from './carrier-requests';

/**
 * The call is over (CallEnded, CallFailed): release its carrier leg if one is up. A leg whose
 * placement is still queued is simply never placed; one already placed is hung up after commit.
 */
export const releaseLegOfCall = async (manager: EntityManager, callId: string): Promise<void> => {
  const leg = await findLegOfCall(manager, callId);
  if (!leg || leg.final) return;
  // Waits if the dispatcher is placing it right now; then the row is gone and we hang up instead.
  const [, cancelled]: [unknown[], number] = await manager.query(
    `DELETE FROM carrier_requests WHERE leg_id = $1 AND action = 'place' RETURNING 1`,
    [leg.legId],
  );
  if (cancelled > 0) await markLegFinal(manager, leg.legId);
  else await queueHangUp(manager, leg.legId);
};
