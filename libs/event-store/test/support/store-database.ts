import type { TestPostgres } from './infrastructure';
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
