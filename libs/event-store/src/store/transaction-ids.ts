import type { DataSource } from 'typeorm';

// A committed row this server wrote has a transaction id below the snapshot's xmax (the next id
// it will assign): one at or above it was numbered by another server.
const foreignIds = `
SELECT coalesce((SELECT max(transaction_id) FROM es_events) >= pg_snapshot_xmax(pg_current_snapshot()), false)
    OR EXISTS (SELECT 1 FROM es_relay_checkpoints WHERE transaction_id >= pg_snapshot_xmax(pg_current_snapshot()))
    OR EXISTS (SELECT 1 FROM es_projection_checkpoints WHERE transaction_id >= pg_snapshot_xmax(pg_current_snapshot())) AS foreign`;

// A reader's checkpoint (t, p) in the old numbering becomes ('1', c): every event at a position
// above c is read again. The events at or below p are the copy's own, so they compare in its
// numbering; those after (t, p) there (a transaction that took a low position and committed
// late) are read again, and so is everything above p (the copy's last events and those written
// here since). At least once, as after a relay's crash: the inboxes absorb the repeats.
const rebaseCheckpoints = (table: string) => `
UPDATE ${table} c SET transaction_id = '1', updated_at = now(), position = least(c.position, coalesce(
  (SELECT min(e.position) - 1 FROM es_events e WHERE e.position <= c.position AND (e.transaction_id, e.position) > (c.transaction_id, c.position)),
  c.position))`;

/**
 * A store copied to another server row by row (pg_dump and pg_restore, a major-version upgrade by
 * logical replication, a move to a managed database) keeps the transaction ids of the server it
 * came from, and the new server numbers its own transactions from wherever its counter stands,
 * usually far below. Readers page by (transaction_id, position) from their checkpoints, so every
 * event appended on the new server sorted before the relay's checkpoint and was never published,
 * silently; and an append to a stream the copy brought was refused for ever, its head looking
 * like the work of a newer transaction (appendToStream's transaction-order check).
 *
 * When any stored id is one this server has not assigned yet, this renumbers the store: every
 * event, all committed, takes transaction id 1 (below any this server assigns, so what comes next
 * sorts after it; among themselves they keep position order, which is each stream's version
 * order), and every checkpoint moves to id 1 at a position from which nothing unread is skipped
 * (rebaseCheckpoints). Appends wait for it (a table lock that only appends conflict with) and go
 * on after. Cheap when there is nothing to do: one index probe. Says how many events it renumbered.
 */
export const adoptTransactionIds = async (dataSource: DataSource): Promise<number> => {
  const [{ foreign }]: { foreign: boolean }[] = await dataSource.query(foreignIds);
  if (!foreign) return 0;
  return dataSource.transaction(async (tx) => {
    // Excludes appends (and another replica doing this), not readers.
    await tx.query(`LOCK TABLE es_events IN SHARE ROW EXCLUSIVE MODE`);
    const [{ foreign: still }]: { foreign: boolean }[] = await tx.query(foreignIds);
    if (!still) return 0;
    await tx.query(rebaseCheckpoints('es_relay_checkpoints'));
    await tx.query(rebaseCheckpoints('es_projection_checkpoints'));
    const [, renumbered]: [unknown, number] = await tx.query(`UPDATE es_events SET transaction_id = '1' WHERE transaction_id <> '1'`);
    return renumbered;
  });
};
