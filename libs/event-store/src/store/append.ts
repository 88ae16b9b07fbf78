import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { appendedChannel } from '../schema/tables';
import { StreamVersionConflict } from './errors';
import { rawQuery } from './raw-query';
import { currentTraceparent } from './traceparent';
import type { AppendOptions, AppendResult, ExpectedVersion, NewEvent, RecordedEvent } from './types';

/** One stream's part of a multi-stream append. */
export interface StreamAppend {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly options: AppendOptions;
}

/**
 * A write that must commit with the events or not at all (a read model row, a deadline, a burnt
 * nonce, a queued carrier request): one data-modifying SQL statement with its own $1..$n.
 */
export interface Companion {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** What a unit of work writes, in one statement: events, the inbox rows of what it consumed, companions. */
export interface UnitOfWorkWrite {
  readonly appends: readonly StreamAppend[];
  /** Event ids a consumer has now processed; a duplicate fails the statement (a lost race: retry). */
  readonly inbox?: { readonly consumer: string; readonly eventIds: readonly string[] };
  readonly companions?: readonly Companion[];
}

// Read each stream's head, check every stream is at its expected version (es_conflict() raises
// otherwise, failing the whole statement), insert all events, notify. A racing writer that inserted
// the same version first makes the statement fail on the (stream_id, stream_version) key, also a
// conflict. The relay publishes in transaction-id order, so an append is also refused when a
// stream's last event came from a NEWER transaction than this one (possible only when this
// transaction wrote something before appending): publishing it would reorder the stream on Kafka.
const appendCtes = `
input AS (
  SELECT * FROM unnest($1::text[], $2::integer[], $3::uuid[], $4::text[], $5::jsonb[], $6::timestamptz[],
                       $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
    WITH ORDINALITY AS t(stream_id, expected, event_id, type, data, occurred_at, correlation_id, causation_id,
                         account_id, source, traceparent, ord)
), streams AS (
  SELECT stream_id, min(expected) AS expected, bool_or(expected IS NULL) AS any_version FROM input GROUP BY stream_id
), current AS (
  SELECT s.stream_id, s.expected, coalesce(head.stream_version, 0) AS version,
         (s.any_version OR coalesce(head.stream_version, 0) = s.expected)
           AND coalesce(head.transaction_id <= pg_current_xact_id(), true) AS fits,
         coalesce(head.transaction_id <= pg_current_xact_id(), true) AS in_order
  FROM streams s LEFT JOIN LATERAL (
    SELECT stream_version, transaction_id FROM es_events e WHERE e.stream_id = s.stream_id
    ORDER BY stream_version DESC LIMIT 1
  ) AS head ON true
), admitted AS (
  SELECT coalesce(bool_and(CASE WHEN fits THEN true ELSE es_conflict(stream_id, expected, version, in_order) END), true) AS ok
  FROM current
), inserted AS (
  INSERT INTO es_events (stream_id, stream_version, event_id, type, source, occurred_at,
                         correlation_id, causation_id, account_id, data, traceparent)
  SELECT i.stream_id, c.version + row_number() OVER (PARTITION BY i.stream_id ORDER BY i.ord), i.event_id, i.type,
         i.source, i.occurred_at, i.correlation_id, i.causation_id, i.account_id, i.data, i.traceparent
  FROM input i JOIN current c USING (stream_id), admitted
  WHERE admitted.ok
  ORDER BY i.ord
  RETURNING event_id, position, stream_version
)`;

const selectResult = `
SELECT (SELECT ok FROM admitted) AS admitted,
       (SELECT json_agg(json_build_array(stream_id, version)) FROM current) AS heads,
       (SELECT json_agg(json_build_array(event_id, position::text, stream_version)) FROM inserted) AS rows,
       (SELECT CASE WHEN count(*) > 0 THEN pg_notify('${appendedChannel}', '') END FROM inserted) AS notified`;

const inboxCte = (first: number) =>
  `, inbox AS (INSERT INTO es_inbox (consumer, event_id) SELECT $${first}, unnest($${first + 1}::text[]))`;

/** Shifts a companion's $1..$n to follow the parameters before it. */
const renumber = (sql: string, offset: number): string => sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);

const expectedNumber = (expected: ExpectedVersion): number | null =>
  expected === 'any' ? null : expected === 'no-stream' ? 0 : expected;

const driverError = (error: unknown) =>
  ((error as { driverError?: unknown })?.driverError ?? error) as { code?: string; constraint?: string; detail?: string } | undefined;

/** The statement's own refusal (es_conflict) or a racing writer's version, as the store's typed conflict. */
const asConflict = (error: unknown, appends: readonly StreamAppend[]): StreamVersionConflict | null => {
  const e = driverError(error);
  if (e?.code === 'HL409') {
    const { stream, expected, actual, inOrder } = JSON.parse(e.detail ?? '{}') as { stream: string; expected: number | null; actual: number; inOrder: boolean };
    return new StreamVersionConflict(stream, expected ?? 'any', actual, inOrder ? 'version' : 'transaction-order');
  }
  if (e?.code === '23505' && e.constraint === 'es_events_stream_version_uq') return new StreamVersionConflict(appends[0]?.streamId ?? '?', 'any', undefined);
  return null;
};

interface Row {
  readonly streamId: string;
  readonly expected: number | null;
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly occurredAt: Date;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly accountId: string | null;
  readonly source: AppendOptions['source'];
  readonly traceparent: string | null;
}

const toRows = (append: StreamAppend, activeTrace: string | null): Row[] => {
  const { streamId, events, options } = append;
  const now = options.now ?? new Date();
  return events.map((event) => ({
    streamId,
    expected: expectedNumber(options.expectedVersion),
    id: event.id ?? randomUUID(),
    type: event.type,
    data: event.data as Record<string, unknown>,
    occurredAt: event.occurredAt ?? now,
    correlationId: event.metadata?.correlationId ?? options.correlationId ?? streamId,
    causationId: event.metadata?.causationId ?? options.causationId ?? null,
    accountId: event.metadata?.accountId ?? options.accountId ?? null,
    source: options.source,
    traceparent: event.metadata?.traceparent ?? activeTrace,
  }));
};

const statementNames = new Map<string, string>();
/** A prepared statement per shape (which companions): parsed and planned once per connection. */
const statementName = (sql: string): string => {
  let name = statementNames.get(sql);
  if (!name) {
    name = `es_uow_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
    statementNames.set(sql, name);
  }
  return name;
};

type AppendRow = { heads: [string, number][] | null; rows: [string, string, number][] | null };

/**
 * Writes a unit of work in ONE statement — its events on any number of streams, the inbox rows
 * of what it consumed, its companion writes — all or nothing, so no BEGIN/COMMIT is needed around
 * it (pass a transaction's manager to include it in a larger transaction). Throws
 * StreamVersionConflict when a stream is not at its expected version; a duplicate inbox row or
 * a companion's raced unique key fails it too: the caller retries on a fresh read.
 *
 * Inside a transaction, make the append its first write: the relay publishes in transaction-id
 * order, and a transaction gets its id at its first write, so a transaction that wrote before
 * appending may be older than a stream's last event; such an append is refused with a conflict
 * (reason 'transaction-order') rather than published out of order.
 */
export const commitUnitOfWork = async (manager: EntityManager, write: UnitOfWorkWrite): Promise<AppendResult[]> => {
  const { appends, inbox, companions = [] } = write;
  const activeTrace = currentTraceparent();
  const rows = appends.flatMap((append) => toRows(append, activeTrace));
  // Nothing to write (a duplicate, an event the step ignored): no statement, which would still
  // take es_events' write lock and cost a round trip.
  if (rows.length === 0 && !inbox?.eventIds.length && companions.length === 0) {
    return appends.map(() => ({ nextExpectedVersion: 0, lastPosition: 0n, events: [] }));
  }
  const params: unknown[] = [
    rows.map((r) => r.streamId), rows.map((r) => r.expected), rows.map((r) => r.id), rows.map((r) => r.type),
    rows.map((r) => JSON.stringify(r.data)), rows.map((r) => r.occurredAt.toISOString()),
    rows.map((r) => r.correlationId), rows.map((r) => r.causationId), rows.map((r) => r.accountId),
    rows.map((r) => r.source), rows.map((r) => r.traceparent),
  ];
  let ctes = appendCtes;
  if (inbox && inbox.eventIds.length > 0) {
    ctes += inboxCte(params.length + 1);
    params.push(inbox.consumer, inbox.eventIds);
  }
  companions.forEach((companion, i) => {
    ctes += `, companion_${i} AS (${renumber(companion.sql, params.length)})`;
    params.push(...companion.params);
  });
  const sql = `WITH ${ctes}${selectResult}`;
  let result: AppendRow;
  try {
    [result] = await rawQuery<AppendRow>(manager, statementName(sql), sql, params);
  } catch (error) {
    throw asConflict(error, appends) ?? error;
  }
  const heads = new Map((result.heads ?? []).map(([streamId, version]) => [streamId, version]));
  const stored = new Map((result.rows ?? []).map(([id, position, version]) => [id, { position: BigInt(position), version }]));
  const byStream = new Map<string, RecordedEvent[]>();
  for (const r of rows) {
    const { position, version } = stored.get(r.id)!;
    const recorded: RecordedEvent = {
      id: r.id, type: r.type, source: r.source, streamId: r.streamId, streamVersion: version,
      occurredAt: r.occurredAt.toISOString(), correlationId: r.correlationId, causationId: r.causationId,
      accountId: r.accountId, data: r.data, position, traceparent: r.traceparent,
    };
    byStream.set(r.streamId, [...(byStream.get(r.streamId) ?? []), recorded]);
  }
  return appends.map(({ streamId }) => {
    const events = byStream.get(streamId) ?? [];
    const last = events[events.length - 1];
    return { nextExpectedVersion: last?.streamVersion ?? heads.get(streamId) ?? 0, lastPosition: last?.position ?? 0n, events };
  });
};

/** Appends to several streams at once, in one statement; see commitUnitOfWork. */
export const appendToStreams = (manager: EntityManager, appends: readonly StreamAppend[]): Promise<AppendResult[]> =>
  appends.length === 0 ? Promise.resolve([]) : commitUnitOfWork(manager, { appends });

/** Appends to one stream; see commitUnitOfWork. */
export const appendToStream = async (
  manager: EntityManager,
  streamId: string,
  events: readonly NewEvent[],
  options: AppendOptions,
): Promise<AppendResult> => {
  if (events.length === 0) throw new Error('appendToStream needs at least one event');
  const [result] = await commitUnitOfWork(manager, { appends: [{ streamId, events, options }] });
  return result;
};
