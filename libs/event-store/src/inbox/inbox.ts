import type { EntityManager } from 'typeorm';
import { forgetOlderThan } from '../store/forget-older';
import { rawQuery } from '../store/raw-query';

/**
 * Records event ids as processed by `consumer`, in the caller's transaction, and returns the
 * ids that were NOT already there: only those may have effects. A concurrent duplicate waits
 * on the primary key and then finds the id taken.
 */
export const recordInInbox = async (
  manager: EntityManager,
  consumer: string,
  eventIds: readonly string[],
): Promise<Set<string>> => {
  if (eventIds.length === 0) return new Set();
  const rows: { event_id: string }[] = await manager.query(
    `INSERT INTO es_inbox (consumer, event_id) SELECT $1, unnest($2::text[])
     ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
    [consumer, eventIds],
  );
  return new Set(rows.map((r) => r.event_id));
};

/** The event ids of `eventIds` that `consumer` has already processed (committed inbox rows). */
export const seenInInbox = async (manager: EntityManager, consumer: string, eventIds: readonly string[]): Promise<Set<string>> => {
  const rows = await rawQuery<{ event_id: string }>(
    manager,
    'es_inbox_seen_v1',
    `SELECT event_id FROM es_inbox WHERE consumer = $1 AND event_id = ANY($2::text[])`,
    [consumer, eventIds],
  );
  return new Set(rows.map((r) => r.event_id));
};

/**
 * Forgets up to `limit` inbox rows processed more than `retentionSeconds` ago (by the database's
 * clock) and says how many: a sweep calls it until it forgets fewer than `limit`. Safe once the
 * retention exceeds the longest an event stays in a topic (retention.ms plus segment.ms: Kafka
 * deletes whole segments): an event Kafka can still deliver was processed more recently than
 * that, so it is still remembered. One range scan of processed_at's index, whatever the table's size.
 */
export const forgetProcessed = (db: EntityManager, retentionSeconds: number, limit: number): Promise<number> =>
  forgetOlderThan(db, 'es_inbox', 'processed_at', retentionSeconds, limit);
