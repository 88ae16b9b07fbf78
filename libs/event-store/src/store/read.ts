import type { EntityManager } from 'typeorm';
import { eventColumns, toRecordedEvent, type EventRow } from './rows';
import type { Checkpoint, RecordedEvent } from './types';

export interface ReadStreamResult {
  /** Version of the stream's last event; 0 when the stream has none. */
  readonly currentVersion: number;
  readonly events: readonly RecordedEvent[];
}

/** Reads a stream in version order, optionally from a version onwards. */
export const readStream = async (
  manager: EntityManager,
  streamId: string,
  options: { readonly fromVersion?: number } = {},
): Promise<ReadStreamResult> => {
  const rows: EventRow[] = await manager.query(
    `SELECT ${eventColumns} FROM es_events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version`,
    [streamId, options.fromVersion ?? 1],
  );
  const events = rows.map(toRecordedEvent);
  const currentVersion = events.length ? events[events.length - 1].streamVersion : await versionOf(manager, streamId);
  return { currentVersion, events };
};

const versionOf = async (manager: EntityManager, streamId: string): Promise<number> => {
  const [row] = await manager.query(`SELECT coalesce(max(stream_version), 0) AS v FROM es_events WHERE stream_id = $1`, [
    streamId,
  ]);
  return Number(row.v);
};

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
