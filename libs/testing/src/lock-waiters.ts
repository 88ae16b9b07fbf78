/** Anything that runs SQL: a TypeORM DataSource or EntityManager, a pg Client. */
interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * How many sessions of this database wait on a lock another holds (of one kind of wait when given:
 * 'relation' for a table lock, 'advisory' for pg_advisory_*_lock). The proof a test needs that a
 * writer is blocked where it meant to block it, before it lets it go.
 */
export const lockWaiters = async (db: Queryable, waitEvent?: 'relation' | 'advisory' | 'transactionid' | 'tuple'): Promise<number> => {
  const result = await db.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND wait_event_type = 'Lock' AND ($1::text IS NULL OR wait_event = $1)`,
    [waitEvent ?? null],
  );
  const rows = Array.isArray(result) ? result : (result as { rows: Array<{ n: number }> }).rows;
  return (rows as Array<{ n: number }>)[0].n;
};
