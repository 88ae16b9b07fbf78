import { upcast, upcasters as registeredUpcasters, type Upcaster } from '@homeline/contracts';
import type { EntityManager } from 'typeorm';
import { rawQuery } from './raw-query';
import { eventColumns, toRecordedEvent, type EventRow } from './rows';
import type { Checkpoint, RecordedEvent } from './types';

export interface ReadStreamResult {
  /** Version of the stream's last event; 0 when the stream has none. */
  readonly currentVersion: number;
  readonly events: readonly RecordedEvent[];
}

export interface ReadOptions {
  /** Old event shapes are upcast to the newest on the way in (default: the contracts' upcasters). */
  readonly upcasters?: readonly Upcaster[];
}

/** Reads a stream in version order, optionally from a version onwards, upcasting old shapes. */
export const readStream = async (
  manager: EntityManager,
  streamId: string,
  options: ReadOptions & { readonly fromVersion?: number } = {},
): Promise<ReadStreamResult> => {
  const fromVersion = options.fromVersion ?? 1;
  if (fromVersion <= 1) return (await readStreams(manager, [streamId], options)).get(streamId)!;
  const rows: EventRow[] = await manager.query(
    `SELECT ${eventColumns} FROM es_events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version`,
    [streamId, fromVersion],
  );
  const events = rows.map((row) => upcastRecorded(toRecordedEvent(row), options.upcasters));
  const currentVersion = events.length ? events[events.length - 1].streamVersion : fromVersion - 1;
  return { currentVersion, events };
};

/** Reads whole streams in one round trip; a stream without events reads as version 0. */
export const readStreams = async (
  manager: EntityManager,
  streamIds: readonly string[],
  options: ReadOptions = {},
): Promise<Map<string, ReadStreamResult>> => {
  const unique = [...new Set(streamIds)];
  const rows = unique.length
    ? await rawQuery<EventRow>(
        manager,
        'es_read_streams_v1',
        `SELECT ${eventColumns} FROM es_events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_version`,
        [unique],
      )
    : [];
  const streams = new Map<string, RecordedEvent[]>(unique.map((id) => [id, []]));
  for (const row of rows) streams.get(row.stream_id)!.push(upcastRecorded(toRecordedEvent(row), options.upcasters));
  return new Map(
    [...streams].map(([id, events]) => [id, { currentVersion: events.length ? events[events.length - 1].streamVersion : 0, events }]),
  );
};

const upcastRecorded = (event: RecordedEvent, upcasters: readonly Upcaster[] = registeredUpcasters): RecordedEvent =>
  upcasters.length ? upcast(event, upcasters) : event;

export interface CommittedBatch {
  readonly events: readonly RecordedEvent[];
  /** Checkpoint after the last event of the batch (unchanged when the batch is empty). */
  readonly checkpoint: Checkpoint;
  /**
   * True when the batch is empty only because committed events wait behind an older transaction
   * still running (anywhere on the server): a reader should look again shortly, as no
   * notification of this database may announce that transaction's end.
   */
  readonly heldBack: boolean;
}

/**
 * Reads committed events after a checkpoint, in (transaction id, position) order, only from
 * transactions older than every transaction still running (below the snapshot's xmin). A
 * transaction that took a low position but commits late is therefore read after it commits,
 * never skipped: no transaction below xmin can still add events.
 */
export const readCommittedAfter = async (
  manager: EntityManager,
  after: Checkpoint,
  limit: number,
): Promise<CommittedBatch> => {
  const rows: EventRow[] = await manager.query(
    `SELECT ${eventColumns} FROM es_events
     WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
       AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY es_events.transaction_id, es_events.position -- the columns, not the text aliases above
     LIMIT $3`,
    [after.transactionId, after.position.toString(), limit],
  );
  if (rows.length === 0) {
    const [{ waiting }]: { waiting: boolean }[] = await manager.query(
      `SELECT EXISTS (SELECT 1 FROM es_events WHERE (transaction_id, position) > ($1::xid8, $2::bigint)) AS waiting`,
      [after.transactionId, after.position.toString()],
    );
    return { events: [], checkpoint: after, heldBack: waiting };
  }
  const last = rows[rows.length - 1];
  return {
    events: rows.map(toRecordedEvent),
    checkpoint: { transactionId: last.transaction_id, position: BigInt(last.position) },
    heldBack: false,
  };
};
