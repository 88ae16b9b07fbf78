import { startTestPostgres, type TestPostgres } from './infrastructure';
import { DataSource } from 'typeorm';
import { eventStoreMigrations } from '../../src';

/** A fresh database with the event store schema applied by its migrations. */
export const openStoreDatabase = async (pg: TestPostgres, poolSize = 10): Promise<DataSource> => {
  const dataSource = new DataSource({
    type: 'postgres',
    url: await pg.createDatabase(),
    migrations: eventStoreMigrations,
    poolSize,
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  return dataSource;
};

/**
 * A fresh store database for the enclosing describe block: started before its tests, closed after.
 * Read `.db` inside the tests (it is set once the block's beforeAll has run).
 */
export const useStoreDatabase = (): { readonly db: DataSource } => {
  let pg: TestPostgres | undefined;
  const handle = {} as { db: DataSource };
  beforeAll(async () => {
    pg = await startTestPostgres();
    handle.db = await openStoreDatabase(pg);
  });
  afterAll(async () => {
    await handle.db?.destroy();
    await pg?.stop();
  });
  return handle;
};
