import type { Companion } from '@homeline/event-store';
import { rawQuery, treatUniqueViolationAsRace } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import type { LegStatusCallback } from '../../application/carrier.port';
import type { CallLeg, CarrierLegs, LegRecord, NewLeg, RecordedCallback } from '../../application/ports';

/** NOTIFY channel raised (at commit) whenever a carrier request is queued or a leg's earlier request completes. */
export const carrierRequestsChannel = 'routing_carrier_requests';

// Two copies of one callback at once: the later insert loses on this key; retried, it finds the copy seen.
treatUniqueViolationAsRace('carrier_callbacks_pkey');

// A leg's row is also what the outbound limits count (call-usage.sql.ts): its device, class and time.
const openSql = `
WITH legs AS (
  INSERT INTO carrier_legs (leg_id, call_id, account_id, device_id, class, created_at, redial)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $6::text[], $7::text[], $8::timestamptz[], $9::int[])
  RETURNING leg_id
), queued AS (
  INSERT INTO carrier_requests (leg_id, action, payload)
  SELECT legs.leg_id, 'place', o.payload FROM legs JOIN unnest($1::text[], $4::jsonb[]) AS o(leg_id, payload) USING (leg_id)
  RETURNING 1
)
SELECT pg_notify($5, '') FROM (SELECT count(*) FROM queued) AS q`;

// The calls of $3 are over: their legs stop counting as live. A placement not in flight now, none of
// whose tries may have been carried out by the carrier (never tried, or refused before it reached
// it), has placed nothing: drop it. One that may have (in flight now, or a try timed out): queue a
// hang-up, which runs after it (a leg's requests run in order).
const stopSql = `
WITH over AS (
  UPDATE carrier_legs SET ended_at = now() WHERE leg_id = ANY($3::text[]) AND ended_at IS NULL
),
stopping AS (SELECT unnest($1::text[]) AS leg_id),
dropped AS (
  DELETE FROM carrier_requests r USING stopping s
  WHERE r.leg_id = s.leg_id AND r.action = 'place' AND r.claimed_until IS NULL AND NOT r.carried_out
  RETURNING r.leg_id
), hang_ups AS (
  INSERT INTO carrier_requests (leg_id, action, payload)
  SELECT leg_id, 'hang_up', '{}' FROM stopping WHERE leg_id NOT IN (SELECT leg_id FROM dropped)
  RETURNING 1
)
SELECT pg_notify($2, '') FROM (SELECT count(*) AS n FROM hang_ups) AS h WHERE h.n > 0`;

const legColumns = `l.leg_id AS "legId", l.call_id AS "callId", l.account_id AS "accountId",
  l.carrier_call_id AS "carrierCallId", l.applied_sequence AS "appliedSequence"`;

/** The carrier legs beside their streams: the call each serves, the carrier's id, the callbacks seen. */
export class SqlCarrierLegs implements CarrierLegs {
  async open(tx: EntityManager, legs: readonly NewLeg[]): Promise<void> {
    if (legs.length === 0) return;
    await rawQuery(tx, 'routing_open_legs_v3', openSql, [
      legs.map((l) => l.order.legId),
      legs.map((l) => l.order.callId),
      legs.map((l) => l.accountId),
      legs.map((l) => JSON.stringify(l.order)),
      carrierRequestsChannel,
      legs.map((l) => l.deviceId),
      legs.map((l) => l.class),
      legs.map((l) => l.routedAt.toISOString()),
      legs.map((l) => l.redial ?? 0),
    ]);
  }

  ofCalls(tx: EntityManager, callIds: readonly string[]): Promise<CallLeg[]> {
    return rawQuery<CallLeg>(
      tx,
      'routing_legs_of_calls_v5',
      `SELECT ${legColumns}, l.class = 'emergency' AS emergency, l.device_id AS "deviceId"
       FROM carrier_legs l WHERE l.call_id = ANY($1::text[]) AND l.direction = 'outbound'`,
      [callIds],
    );
  }

  async stop(tx: EntityManager, legs: { readonly over: readonly string[]; readonly released: readonly string[] }): Promise<void> {
    if (legs.over.length === 0 && legs.released.length === 0) return;
    await rawQuery(tx, 'routing_stop_legs_v2', stopSql, [legs.released, carrierRequestsChannel, legs.over]);
  }

  async forCallbacks(
    tx: EntityManager,
    callbacks: readonly LegStatusCallback[],
  ): Promise<({ leg: LegRecord; seen: boolean } | undefined)[]> {
    if (callbacks.length === 0) return [];
    // A carrier call another leg (or inbound call) already holds names none of this leg's: unknown.
    const rows = await rawQuery<LegRecord & { seen: boolean; ord: string }>(
      tx,
      'routing_legs_for_callbacks_v2',
      `SELECT asked.ord, ${legColumns}, EXISTS (SELECT 1 FROM carrier_callbacks c
         WHERE c.carrier_call_id = asked.carrier_call_id AND c.status = asked.status AND c.sequence = asked.sequence) AS seen
       FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[]) WITH ORDINALITY AS asked(leg_id, carrier_call_id, status, sequence, ord)
       JOIN carrier_legs l ON l.leg_id = asked.leg_id AND l.direction = 'outbound'
       WHERE NOT EXISTS (SELECT 1 FROM carrier_legs o WHERE o.carrier_call_id = asked.carrier_call_id AND o.leg_id <> asked.leg_id)`,
      [
        callbacks.map((c) => c.legId),
        callbacks.map((c) => c.carrierCallId),
        callbacks.map((c) => c.status),
        callbacks.map((c) => c.sequence),
      ],
    );
    const found: ({ leg: LegRecord; seen: boolean } | undefined)[] = callbacks.map(() => undefined);
    for (const { ord, seen, ...leg } of rows) found[Number(ord) - 1] = { leg, seen };
    return found;
  }

  hangUpPlacedAfterAll(legIds: readonly string[]): Companion {
    return {
      sql: `INSERT INTO carrier_requests (leg_id, action, payload)
            SELECT l.leg_id, 'hang_up', '{}' FROM unnest($1::text[]) AS l(leg_id) CROSS JOIN LATERAL (SELECT pg_notify($2, '')) AS woken`,
      params: [legIds, carrierRequestsChannel],
    };
  }

  /** Also names the leg's carrier call, when a callback tells before the dispatcher recorded it. */
  recordCallbacks(records: readonly RecordedCallback[]): Companion[] {
    if (records.length === 0) return [];
    const callbacks = records.map((r) => r.callback);
    return [
      {
        sql: `INSERT INTO carrier_callbacks (carrier_call_id, status, sequence)
              SELECT * FROM unnest($1::text[], $2::text[], $3::integer[])`,
        params: [callbacks.map((c) => c.carrierCallId), callbacks.map((c) => c.status), callbacks.map((c) => c.sequence)],
      },
      {
        sql: `UPDATE carrier_legs l SET carrier_call_id = coalesce(l.carrier_call_id, r.carrier_call_id),
                applied_sequence = CASE WHEN r.applied THEN greatest(l.applied_sequence, r.sequence) ELSE l.applied_sequence END,
                ended_at = CASE WHEN r.ended THEN coalesce(l.ended_at, now()) ELSE l.ended_at END
              FROM unnest($1::text[], $2::text[], $3::integer[], $4::boolean[], $5::boolean[])
                AS r(leg_id, carrier_call_id, sequence, applied, ended)
              WHERE l.leg_id = r.leg_id`,
        params: [
          callbacks.map((c) => c.legId),
          callbacks.map((c) => c.carrierCallId),
          callbacks.map((c) => c.sequence),
          records.map((r) => r.applied),
          records.map((r) => r.ended),
        ],
      },
    ];
  }
}
