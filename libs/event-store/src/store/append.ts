import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import { appendedChannel } from '../schema/tables';
import { StreamVersionConflict } from './errors';
import { currentTraceparent } from './traceparent';
import type { AppendOptions, AppendResult, ExpectedVersion, NewEvent, RecordedEvent } from './types';

// One round trip: read the stream's head, insert only if it is at the expected version, notify.
// A racing writer that inserted the same version first makes this statement fail on the
// (stream_id, stream_version) key, which is also reported as a conflict.
// The relay publishes in transaction-id order, so an append is also refused when the stream's
// last event came from a NEWER transaction than this one (possible only when this transaction
// wrote something before appending): publishing it would reorder the stream on Kafka.
const appendSql = `
WITH current AS (
  SELECT coalesce(head.stream_version, 0) AS version,
         coalesce(head.transaction_id <= pg_current_xact_id(), true) AS in_order
  FROM (SELECT 1) AS one LEFT JOIN LATERAL (
    SELECT stream_version, transaction_id FROM es_events WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT 1
  ) AS head ON true
), input AS (
  SELECT * FROM unnest($3::uuid[], $4::text[], $5::jsonb[], $6::timestamptz[], $7::text[], $8::text[], $9::text[])
    WITH ORDINALITY AS t(event_id, type, data, occurred_at, correlation_id, causation_id, account_id, ord)
), inserted AS (
  INSERT INTO es_events (stream_id, stream_version, event_id, type, source, occurred_at,
                         correlation_id, causation_id, account_id, data, traceparent)
  SELECT $1, current.version + input.ord, input.event_id, input.type, $10, input.occurred_at,
         input.correlation_id, input.causation_id, input.account_id, input.data, $11
  FROM current, input
  WHERE ($2::integer IS NULL OR current.version = $2::integer) AND current.in_order
  ORDER BY input.ord
  RETURNING position
)
SELECT (SELECT version FROM current) AS current_version, (SELECT in_order FROM current) AS in_order,
       array_agg(position::text ORDER BY position) AS positions,
       CASE WHEN count(*) > 0 THEN pg_notify('${appendedChannel}', '') END AS notified
FROM inserted`;

const expectedNumber = (expected: ExpectedVersion): number | null =>
  expected === 'any' ? null : expected === 'no-stream' ? 0 : expected;

const isVersionTaken = (error: unknown): boolean => {
  const e = error as { code?: string; constraint?: string } | undefined;
  return e?.code === '23505' && e.constraint === 'es_events_stream_version_uq';
};

type AppendRow = { current_version: number; in_order: boolean; positions: string[] | null };

// A named statement is parsed and planned once per connection; the append is the hot path.
const runAppend = async (manager: EntityManager, values: unknown[]): Promise<AppendRow> => {
  const ownRunner = manager.queryRunner ? undefined : manager.connection.createQueryRunner();
  const runner = manager.queryRunner ?? ownRunner!;
  try {
    const client: PoolClient = await runner.connect();
    const result = await client.query<AppendRow>({ name: 'es_append_to_stream_v2', text: appendSql, values });
    return result.rows[0];
  } finally {
    await ownRunner?.release();
  }
};

/**
 * Appends events to a stream inside the caller's transaction (pass the transaction's manager),
 * so an append and a read-model update commit together. Throws StreamVersionConflict when the
 * stream is not at `expectedVersion`; the transaction must then be rolled back and the command
 * retried on a fresh read (see handleCommand).
 *
 * Make the append the transaction's first write (handleCommand does): the relay publishes in
 * transaction-id order and a transaction gets its id at its first write, so a transaction that
 * wrote before appending may be older than the stream's last event; such an append is refused
 * with a conflict (reason 'transaction-order') rather than published out of order.
 */
export const appendToStream = async (
  manager: EntityManager,
  streamId: string,
  events: readonly NewEvent[],
  options: AppendOptions,
): Promise<AppendResult> => {
  if (events.length === 0) throw new Error('appendToStream needs at least one event');
  const expected = expectedNumber(options.expectedVersion);
  const now = options.now ?? new Date();
  const rows = events.map((event) => ({
    id: event.id ?? randomUUID(),
    type: event.type,
    data: event.data as Record<string, unknown>,
    occurredAt: event.occurredAt ?? now,
    correlationId: event.metadata?.correlationId ?? options.correlationId ?? streamId,
    causationId: event.metadata?.causationId ?? options.causationId ?? null,
    accountId: event.metadata?.accountId ?? options.accountId ?? null,
  }));
  const traceparent = currentTraceparent();
  let result: AppendRow;
  try {
    result = await runAppend(manager, [
      streamId, expected,
      rows.map((r) => r.id), rows.map((r) => r.type), rows.map((r) => JSON.stringify(r.data)),
      rows.map((r) => r.occurredAt.toISOString()), rows.map((r) => r.correlationId),
      rows.map((r) => r.causationId), rows.map((r) => r.accountId),
      options.source, traceparent,
    ]);
  } catch (error) {
    if (isVersionTaken(error)) throw new StreamVersionConflict(streamId, expected ?? 'any', undefined);
    throw error;
  }
  const { current_version: currentVersion, in_order: inOrder, positions } = result;
  if (!positions) {
    throw new StreamVersionConflict(streamId, expected ?? 'any', currentVersion, inOrder ? 'version' : 'transaction-order');
  }
  const recorded: RecordedEvent[] = rows.map((r, i) => ({
    id: r.id, type: r.type, source: options.source, streamId, streamVersion: currentVersion + i + 1,
    occurredAt: r.occurredAt.toISOString(), correlationId: r.correlationId, causationId: r.causationId,
    accountId: r.accountId, data: r.data, position: BigInt(positions[i]), traceparent,
  }));
  return {
    nextExpectedVersion: currentVersion + rows.length,
    lastPosition: recorded[recorded.length - 1].position,
    events: recorded,
  };
};
