import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { appendToStream, eventStoreMigrations } from '../src';
import type { Append } from './workload';

export interface StoreUnderTest {
  readonly name: string;
  readonly append: Append;
  close(): Promise<void>;
}

export const homelineStore = async (url: string, poolSize: number): Promise<StoreUnderTest> => {
  const dataSource = new DataSource({ type: 'postgres', url, migrations: eventStoreMigrations, poolSize });
  await dataSource.initialize();
  await dataSource.runMigrations();
  return {
    name: 'homeline event-store',
    append: async (streamId, events, expectedVersion) => {
      await dataSource.transaction((manager) =>
        appendToStream(manager, streamId, events, { expectedVersion, source: 'calls' }),
      );
    },
    close: () => dataSource.destroy(),
  };
};

export const emmettStore = async (url: string, poolSize: number): Promise<StoreUnderTest> => {
  const pool = new Pool({ connectionString: url, max: poolSize });
  const store = getPostgreSQLEventStore(url, {
    connectionOptions: { pooled: true, pool },
    schema: { autoMigration: 'CreateOrUpdate' },
  });
  await store.schema.migrate();
  return {
    name: 'emmett-postgresql',
    append: async (streamId, events, expectedVersion) => {
      await store.appendToStream(streamId, [...events], { expectedStreamVersion: BigInt(expectedVersion) });
    },
    close: async () => {
      await store.close();
      await pool.end().catch(() => undefined); // the store may already have ended it
    },
  };
};
