import type { EntityManager } from 'typeorm';
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
 * retention exceeds the topics' (Kafka's retention.ms): a message still in a topic was appended,
 * and so processed, more recently than that, so every event Kafka could deliver again is still
 * remembered. One statement on the BRIN index of processed_at, whatever the table's size.
 */
export const forgetProcessed = async (db: EntityManager, retentionSeconds: number, limit: number): Promise<number> => {
  const [, deleted]: [unknown, number] = await db.query(
    `DELETE FROM es_inbox WHERE ctid = ANY (ARRAY(
       SELECT ctid FROM es_inbox WHERE processed_at < now() - make_interval(secs => $1) LIMIT $2))`,
    [retentionSeconds, limit],
  );
  return deleted;
};
