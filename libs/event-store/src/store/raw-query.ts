import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';

/**
 * Runs a named (prepared once per connection) statement on the manager's connection, or on a
 * pooled one outside a transaction. For the event store's hot statements: it skips TypeORM's
 * per-query bookkeeping and lets PostgreSQL reuse the plan.
 */
export const rawQuery = async <R>(manager: EntityManager, name: string, text: string, values: unknown[]): Promise<R[]> => {
  const ownRunner = manager.queryRunner ? undefined : manager.connection.createQueryRunner();
  const runner = manager.queryRunner ?? ownRunner!;
  try {
    const client: PoolClient = await runner.connect();
    const result = await client.query<R & object>({ name, text, values });
    return result.rows;
  } finally {
    await ownRunner?.release();
  }
};
