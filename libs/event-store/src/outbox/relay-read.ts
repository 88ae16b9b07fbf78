import type { DataSource } from 'typeorm';
import { rawQuery } from '../store/raw-query';
import { eventColumns, toRecordedEvent, type EventRow } from '../store/rows';
import type { Checkpoint, RecordedEvent } from '../store/types';

export interface RelayBatch {
  readonly events: readonly RecordedEvent[];
  readonly checkpoint: Checkpoint;
  /** Empty only because committed events wait behind an older transaction still running. */
  readonly heldBack: boolean;
}

// One statement: record the checkpoint published so far (only forwards), then read what follows
// it from transactions older than every transaction still running IN THIS DATABASE — a
// transaction that took a low position but commits late is read after it commits, never skipped.
// The horizon is the snapshot's running xids (xip) minus those pg_stat_activity shows belonging to
// backends of other databases (which cannot write here): an xid it cannot place counts as ours,
// so a lag in pg_stat_activity only ever holds events back, never skips one. On a server shared by
// several services, another service's open transaction no longer holds this relay back.
// The LEFT JOIN yields one row even for an empty batch, carrying the held-back flag.
const sql = `
WITH saved AS (
  UPDATE es_relay_checkpoints SET transaction_id = $4::xid8, position = $5::bigint, updated_at = now()
  WHERE name = $1 AND $6::boolean AND (transaction_id, position) < ($4::xid8, $5::bigint)
  RETURNING 1
), snap AS MATERIALIZED (
  SELECT pg_current_snapshot() AS s
), elsewhere AS MATERIALIZED (
  SELECT backend_xid::text::bigint AS xid32 FROM pg_stat_activity
  WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database()
), horizon AS MATERIALIZED (
  SELECT coalesce(
    (SELECT min(x) FROM pg_snapshot_xip(snap.s) AS x
     WHERE (x::text::bigint & 4294967295) NOT IN (SELECT xid32 FROM elsewhere)),
    pg_snapshot_xmax(snap.s)) AS h
  FROM snap
), batch AS (
  SELECT ${eventColumns.replace(/\n/g, ' ')} FROM es_events
  WHERE (transaction_id, position) > ($2::xid8, $3::bigint)
    AND transaction_id < (SELECT h FROM horizon)
  ORDER BY es_events.transaction_id, es_events.position
  LIMIT $7
)
SELECT batch.*, (SELECT count(*) FROM saved) AS saved,
       NOT EXISTS (SELECT 1 FROM batch) AND EXISTS (
         SELECT 1 FROM es_events WHERE (transaction_id, position) > ($2::xid8, $3::bigint)
       ) AS held_back
FROM (SELECT 1) AS one LEFT JOIN batch ON true
ORDER BY batch.transaction_id::xid8, batch.position::bigint`;

/** Reads the next batch after `after`, recording `save` as the relay's checkpoint first (when given). */
export const readNextBatch = async (
  dataSource: DataSource,
  name: string,
  after: Checkpoint,
  save: Checkpoint | undefined,
  limit: number,
): Promise<RelayBatch> => {
  const rows = await rawQuery<EventRow & { held_back: boolean }>(dataSource.manager, 'es_relay_next_batch_v2', sql, [
    name, after.transactionId, after.position.toString(),
    (save ?? after).transactionId, (save ?? after).position.toString(), save !== undefined, limit,
  ]);
  const events = rows.filter((r) => r.position !== null).map(toRecordedEvent);
  const last = events[events.length - 1];
  return {
    events,
    checkpoint: last ? { transactionId: rows[rows.length - 1].transaction_id, position: last.position } : after,
    heldBack: rows[0]?.held_back ?? false,
  };
};
