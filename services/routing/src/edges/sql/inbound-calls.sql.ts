import { rawQuery } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import type { CarrierStatusCallback } from '../../application/carrier.port';
import type { InboundCallRecord, InboundCalls } from '../../application/inbound.ports';
import type { CarrierInstruction } from '../../domain';
import { carrierRequestsChannel } from './carrier-legs.sql';

const columns = `l.call_id AS "callId", l.account_id AS "accountId", l.carrier_call_id AS "carrierCallId", l.leg_id AS "legId"`;

// Of two deliveries of one webhook at once, the later waits on the carrier call's unique key, then inserts nothing.
const openSql = `
INSERT INTO carrier_legs (leg_id, call_id, account_id, carrier_call_id, direction)
VALUES ($1, $2, $3, $4, 'inbound')
ON CONFLICT (carrier_call_id) DO NOTHING
RETURNING leg_id`;

// A hang-up we ask for marks the carrier call released by us: the carrier's `completed` that
// follows is its confirmation, not the caller hanging up (inbound-callbacks.ts).
const instructSql = `
WITH queued AS (
  INSERT INTO carrier_requests (leg_id, action, payload)
  SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])
  RETURNING 1
), released AS (
  UPDATE carrier_legs SET ended_at = coalesce(ended_at, now())
  WHERE leg_id IN (SELECT leg FROM unnest($1::text[], $2::text[]) AS t(leg, action) WHERE action = 'hang_up')
)
SELECT pg_notify($4, '') FROM (SELECT count(*) AS n FROM queued) AS q WHERE q.n > 0`;

// A `canceled` about a carrier call no offer recorded yet, kept as a callback seen (so a repeat is a
// duplicate) unless an outbound leg holds that carrier call id.
const holdHangUpSql = `
WITH taken AS (SELECT EXISTS (SELECT 1 FROM carrier_legs WHERE carrier_call_id = $1) AS taken),
held AS (
  INSERT INTO carrier_callbacks (carrier_call_id, status, sequence)
  SELECT $1, $2, $3 FROM taken WHERE NOT taken.taken
  ON CONFLICT DO NOTHING
  RETURNING 1
)
SELECT (SELECT taken FROM taken) AS taken, EXISTS (SELECT 1 FROM held) AS held`;

const payloadOf = (instruction: CarrierInstruction): object => {
  switch (instruction.action) {
    case 'bridge':
      return { deviceId: instruction.deviceId };
    case 'voicemail':
      return { reason: instruction.reason };
    case 'hang_up':
      return {};
    default: {
      const unknown: never = instruction;
      throw new Error(`unknown carrier instruction ${(unknown as CarrierInstruction).action}`);
    }
  }
};

/** Inbound calls' carrier calls, as rows of carrier_legs (direction inbound), and the carrier requests about them. */
export class SqlInboundCalls implements InboundCalls {
  async byCarrierCall(
    tx: EntityManager,
    carrierCallId: string,
  ): Promise<{ direction: 'inbound' | 'outbound'; callId: string } | undefined> {
    const [row] = await rawQuery<{ direction: 'inbound' | 'outbound'; callId: string }>(
      tx,
      'routing_carrier_call_v1',
      `SELECT direction, call_id AS "callId" FROM carrier_legs WHERE carrier_call_id = $1`,
      [carrierCallId],
    );
    return row;
  }

  async lockCarrierCall(tx: EntityManager, carrierCallId: string): Promise<void> {
    await rawQuery(tx, 'routing_lock_carrier_call_v1', `SELECT pg_advisory_xact_lock(hashtextextended('carrier-call:' || $1, 0))`, [carrierCallId]);
  }

  async holdHangUp(tx: EntityManager, callback: CarrierStatusCallback): Promise<'held' | 'duplicate' | 'in_use'> {
    const [row] = await rawQuery<{ taken: boolean; held: boolean }>(tx, 'routing_hold_hang_up_v1', holdHangUpSql, [
      callback.carrierCallId,
      callback.status,
      callback.sequence,
    ]);
    return row.taken ? 'in_use' : row.held ? 'held' : 'duplicate';
  }

  async callerHungUp(tx: EntityManager, carrierCallId: string): Promise<boolean> {
    const [row] = await rawQuery<{ gone: boolean }>(
      tx,
      'routing_caller_hung_up_v1',
      `SELECT EXISTS (SELECT 1 FROM carrier_callbacks WHERE carrier_call_id = $1 AND status = 'canceled') AS gone`,
      [carrierCallId],
    );
    return row.gone;
  }

  async open(tx: EntityManager, record: InboundCallRecord): Promise<boolean> {
    const rows = await rawQuery(tx, 'routing_open_inbound_v1', openSql, [
      record.legId,
      record.callId,
      record.accountId,
      record.carrierCallId,
    ]);
    return rows.length > 0;
  }

  ofCalls(tx: EntityManager, callIds: readonly string[]): Promise<InboundCallRecord[]> {
    return rawQuery<InboundCallRecord>(
      tx,
      'routing_inbound_of_calls_v1',
      `SELECT ${columns} FROM carrier_legs l WHERE l.call_id = ANY($1::text[]) AND l.direction = 'inbound'`,
      [callIds],
    );
  }

  /**
   * First locks the households (FOR UPDATE, in a statement of its own, in a fixed order): an offer
   * that read their devices before an unlink committed holds its household FOR KEY SHARE
   * (HouseholdDirectory.lineOf) until it is recorded, so the calls are read once it is, and the
   * unlinked speaker it rings is found and stopped.
   */
  async mayRing(tx: EntityManager, accountIds: readonly string[]): Promise<InboundCallRecord[]> {
    await rawQuery(
      tx,
      'routing_inbound_lock_households_v1',
      `SELECT count(*) FROM (SELECT 1 FROM accounts WHERE account_id = ANY($1::text[]) ORDER BY account_id FOR UPDATE) locked`,
      [accountIds],
    );
    return rawQuery<InboundCallRecord>(
      tx,
      'routing_inbound_may_ring_v1',
      `SELECT ${columns} FROM carrier_legs l
       WHERE l.account_id = ANY($1::text[]) AND l.created_at > now() - interval '1 hour' AND l.direction = 'inbound' AND l.ended_at IS NULL`,
      [accountIds],
    );
  }

  async instruct(
    tx: EntityManager,
    instructions: readonly { record: InboundCallRecord; instruction: CarrierInstruction }[],
  ): Promise<void> {
    if (instructions.length === 0) return;
    await rawQuery(tx, 'routing_instruct_carrier_v1', instructSql, [
      instructions.map((i) => i.record.legId),
      instructions.map((i) => i.instruction.action),
      instructions.map((i) => JSON.stringify(payloadOf(i.instruction))),
      carrierRequestsChannel,
    ]);
  }

  async forCallback(
    tx: EntityManager,
    callback: CarrierStatusCallback,
  ): Promise<{ call: InboundCallRecord; seen: boolean; releasedByUs: boolean } | undefined> {
    const [row] = await rawQuery<InboundCallRecord & { seen: boolean; releasedByUs: boolean }>(
      tx,
      'routing_inbound_callback_v2',
      `SELECT ${columns}, EXISTS (SELECT 1 FROM carrier_callbacks c
         WHERE c.carrier_call_id = $1 AND c.status = $2 AND c.sequence = $3) AS seen,
         l.ended_at IS NOT NULL AS "releasedByUs"
       FROM carrier_legs l WHERE l.carrier_call_id = $1 AND l.direction = 'inbound'`,
      [callback.carrierCallId, callback.status, callback.sequence],
    );
    if (!row) return undefined;
    const { seen, releasedByUs, ...call } = row;
    return { call, seen, releasedByUs };
  }
}
