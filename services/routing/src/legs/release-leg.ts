import type { IntegrationEvent } from '@homeline/contracts';
import { readStream } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import { legStateOf, routeStreamId } from '../decision/route-stream';
import { legReleaseFor } from '../domain';
import { findLegOfCall } from './carrier-legs';
import { queueHangUp } from './carrier-requests';
import { decideOnLeg } from './leg-stream';

/**
 * The call is over (CallEnded, CallFailed) while its carrier leg is up: the leg ends, released
 * by us, in this transaction; the carrier is told after commit. A leg whose placement is still
 * queued is simply never placed.
 */
export const releaseLegOfCall = async (
  manager: EntityManager,
  event: IntegrationEvent<'CallEnded' | 'CallFailed'>,
  now: Date,
): Promise<void> => {
  const leg = await findLegOfCall(manager, event.data.callId);
  if (!leg) return;
  const stream = await readStream(manager, routeStreamId(leg.callId));
  const release = legReleaseFor(event, legStateOf(stream.events), now.toISOString());
  if (!release) return;
  await decideOnLeg(manager, leg, release);
  // Waits if the dispatcher is placing it right now; then the row is gone and we hang up instead.
  const [, cancelled]: [unknown[], number] = await manager.query(
    `DELETE FROM carrier_requests WHERE leg_id = $1 AND action = 'place' RETURNING 1`,
    [leg.legId],
  );
  if (cancelled === 0) await queueHangUp(manager, leg.legId);
};
