import { GroupCommit, rawQuery } from '@homeline/event-store';
import type { DataSource, EntityManager } from 'typeorm';
import type { CarrierRequests, ClaimedRequest } from '../../application/ports';
import { carrierRequestsChannel } from './carrier-legs.sql';

// A request is due when its time has come, nobody holds a live claim on it, and no earlier
// request of its leg is still queued (a hang-up never overtakes its placement).
const isFirstOfLeg = `NOT EXISTS (SELECT 1 FROM carrier_requests e WHERE e.leg_id = r.leg_id AND e.request_id < r.request_id)`;

// A claim is live while its lease runs and the session of the dispatcher holding it is still
// connected: a dispatcher killed -9 loses its session at once, and its claims with it.
const claimIsLive = `coalesce(r.claimed_until > now() AND (r.claimed_by_pid IS NULL OR EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = r.claimed_by_pid)), false)`;

// While another dispatcher holds a claim, look again this often: were it to die, its claims are due.
const holderCheckSeconds = 2;

// An emergency call's placement: claimed before anything else, and alone when $5 (emergency only).
const isEmergencyPlacement = `(r.action = 'place' AND r.payload @> '{"emergency": true}')`;
const wanted = `(NOT $5::boolean OR ${isEmergencyPlacement})`;

// One statement, so one short transaction: claim (a lease, not a lock held while the carrier is
// called), and say when the next request not claimed here falls due, so the dispatcher sleeps
// until then instead of polling.
const claimSql = `
WITH due AS (
  SELECT r.request_id FROM carrier_requests r
  WHERE r.available_at <= now() AND NOT ${claimIsLive} AND ${isFirstOfLeg} AND ${wanted}
  ORDER BY ${isEmergencyPlacement} DESC, r.request_id LIMIT $1
  FOR UPDATE SKIP LOCKED
), claimed AS (
  UPDATE carrier_requests r
  SET claimed_until = now() + make_interval(secs => $2::float8 / 1000), claim_token = $3, claimed_by_pid = $4
  FROM due WHERE r.request_id = due.request_id
  RETURNING r.request_id, r.leg_id, r.action, r.payload, r.attempts
)
SELECT
  (SELECT coalesce(json_agg(json_build_object(
     'requestId', c.request_id::text, 'legId', c.leg_id, 'callId', l.call_id, 'accountId', l.account_id,
     'attempts', c.attempts, 'action', c.action, 'order', c.payload, 'carrierCallId', l.carrier_call_id,
     'deviceId', c.payload->>'deviceId', 'reason', c.payload->>'reason')
     ORDER BY c.request_id), '[]')
   FROM claimed c JOIN carrier_legs l USING (leg_id)) AS claimed,
  (SELECT ceil(extract(epoch FROM min(CASE WHEN ${claimIsLive}
            THEN least(greatest(r.available_at, r.claimed_until), now() + interval '${holderCheckSeconds} seconds')
            ELSE r.available_at END) - now()) * 1000)
   FROM carrier_requests r WHERE r.request_id NOT IN (SELECT request_id FROM due) AND ${isFirstOfLeg} AND ${wanted}) AS next_due_in_ms`;

// Requests carried out, set-based. Only the claim's holder completes a request; a placement also
// gives its leg the carrier's id (unless a callback named it first). Completing one may make its
// leg's next request due: then the dispatchers are woken.
const completeSql = `
WITH input AS (
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS i(request_id, claim_token, leg_id, carrier_call_id)
), leg AS (
  UPDATE carrier_legs l SET carrier_call_id = coalesce(l.carrier_call_id, i.carrier_call_id)
  FROM input i WHERE l.leg_id = i.leg_id AND i.carrier_call_id IS NOT NULL
), done AS (
  DELETE FROM carrier_requests r USING input i WHERE r.request_id = i.request_id AND r.claim_token = i.claim_token
  RETURNING r.leg_id, r.request_id
)
SELECT pg_notify($5, '')
WHERE EXISTS (SELECT 1 FROM done JOIN carrier_requests n ON n.leg_id = done.leg_id AND n.request_id > done.request_id)`;

type Completed = { readonly request: ClaimedRequest; readonly carrierCallId: string | null };

const complete = (tx: EntityManager, completed: readonly Completed[]): Promise<unknown> =>
  rawQuery(tx, 'routing_requests_completed_v1', completeSql, [
    completed.map((c) => c.request.requestId),
    completed.map((c) => c.request.claim),
    completed.map((c) => c.request.legId),
    completed.map((c) => c.carrierCallId),
    carrierRequestsChannel,
  ]);

/** The durable queue of requests to the carrier, taken by dispatchers under a lease. */
export class SqlCarrierRequests implements CarrierRequests {
  // The carrier answers placements one by one; under load their records share a statement.
  private readonly placements = new GroupCommit(async (placed: readonly Completed[]) => {
    await complete(this.dataSource.manager, placed);
    return placed.map(() => undefined);
  });

  constructor(private readonly dataSource: DataSource) {}

  async claim(limit: number, leaseMs: number, claim: string, holderPid: number | null, emergencyOnly = false): ReturnType<CarrierRequests['claim']> {
    const [row] = await rawQuery<{ claimed: Omit<ClaimedRequest, 'claim'>[]; next_due_in_ms: number | null }>(
      this.dataSource.manager,
      'routing_claim_requests_v4',
      claimSql,
      [limit, leaseMs, claim, holderPid, emergencyOnly],
    );
    const claimed = row.claimed.map((r) => ({ ...r, claim }) as ClaimedRequest);
    return { claimed, nextDueInMs: row.next_due_in_ms === null ? null : Math.max(0, Number(row.next_due_in_ms)) };
  }

  placed(request: ClaimedRequest, carrierCallId: string): Promise<void> {
    return this.placements.submit({ request, carrierCallId });
  }

  async done(tx: EntityManager, request: ClaimedRequest): Promise<void> {
    await complete(tx, [{ request, carrierCallId: null }]);
  }

  async retryLater(request: ClaimedRequest, delayMs: number, carriedOut: boolean): Promise<void> {
    // The dispatchers hear of it, and sleep until it falls due.
    await this.dataSource.query(
      `WITH later AS (
         UPDATE carrier_requests SET attempts = attempts + 1, carried_out = carried_out OR $5, claimed_until = NULL, claim_token = NULL, claimed_by_pid = NULL,
           available_at = now() + make_interval(secs => $3::float8 / 1000)
         WHERE request_id = $1 AND claim_token = $2 RETURNING 1)
       SELECT pg_notify($4, '') FROM later`,
      [request.requestId, request.claim, delayMs, carrierRequestsChannel, carriedOut],
    );
  }
}
