import type { EntityManager } from 'typeorm';

/**
 * Deletes up to `limit` rows of `table` whose `column` is more than `seconds` old by the database's
 * clock, oldest first, and says how many: a sweep calls it until fewer come back (drainBatches),
 * so a backlog goes in bounded statements and an idle table costs one range scan of the column's
 * index. `table` and `column` are the caller's constants, never input.
 */
export const forgetOlderThan = async (db: Pick<EntityManager, 'query'>, table: string, column: string, seconds: number, limit: number): Promise<number> => {
  const [, deleted]: [unknown, number] = await db.query(
    `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(
       SELECT ctid FROM ${table} WHERE ${column} < now() - make_interval(secs => $1) ORDER BY ${column} LIMIT $2))`,
    [seconds, limit],
  );
  return deleted;
};
