import { randomUUID } from 'node:crypto';
import { QueryFailedError, type EntityManager } from 'typeorm';
import { appendedChannel } from '../schema/tables';
import { StreamVersionConflict } from './errors';
import { currentTraceparent } from './traceparent';
import type { AppendOptions, AppendResult, ExpectedVersion, NewEvent, RecordedEvent } from './types';

// One round trip: read the stream's version, insert only if it is the expected one, notify.
// A racing writer that inserted the same version first makes this statement fail on the
// unique (stream_id, stream_version) constraint, which is also reported as a conflict.
const appendSql = `
WITH current AS (
  SELECT coalesce(max(stream_version), 0) AS version FROM es_events WHERE stream_id = $1
), input AS (
  SELECT * FROM unnest($3::uuid[], $4::text[], $5::jsonb[], $6::timestamptz[], $7::text[], $8::text[], $9::text[])
    WITH ORDINALITY AS t(event_id, type, data, occurred_at, correlation_id, causation_id, account_id, ord)
), inserted AS (
  INSERT INTO es_events (stream_id, stream_version, event_id, type, source, occurred_at,
                         correlation_id, causation_id, account_id, data, traceparent)
  SELECT $1, current.version + input.ord, input.event_id, input.type, $10, input.occurred_at,
         input.correlation_id, input.causation_id, input.account_id, input.data, $11
  FROM current, input
  WHERE $2::integer IS NULL OR current.version = $2::integer
  ORDER BY input.ord
  RETURNING position
)
SELECT (SELECT version FROM current) AS current_version,
       array_agg(position::text ORDER BY position) AS positions,
       CASE WHEN count(*) > 0 THEN pg_notify('${appendedChannel}', '') END AS notified
FROM inserted`;

const expectedNumber = (expected: ExpectedVersion): number | null =>
  expected === 'any' ? null : expected === 'no-stream' ? 0 : expected;

const isVersionTaken = (error: unknown): boolean =>
  error instanceof QueryFailedError &&
  (error.driverError as { code?: string; constraint?: string }).code === '23505' &&
  (error.driverError as { constraint?: string }).constraint === 'es_events_stream_version_uq';

/**
 * Appends events to a stream inside the caller's transaction (pass the transaction's manager),
 * so an append and a read-model update commit together. Throws StreamVersionConflict when the
 * stream is not at `expectedVersion`; the transaction must then be rolled back and the command
 * retried on a fresh read (see handleCommand).
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
  let result: { current_version: number; positions: string[] | null }[];
  try {
    result = await manager.query(appendSql, [
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
  const [{ current_version: currentVersion, positions }] = result;
  if (!positions) throw new StreamVersionConflict(streamId, expected ?? 'any', currentVersion);
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
