import type { TypeOrmDataSourceFactory, TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { CreateIdempotencyKeys1764000000000 } from '../idempotency/create-idempotency-keys.migration';
import type { MigrationMode } from '../config/env';
import type { PlatformOptions } from '../platform.options';
import { TypeOrmLogs } from './typeorm-logs';

/**
 * The service's own database. The schema is the history of its migrations, run at start
 * (see openDatabase); `synchronize` is never on.
 */
export function databaseOptions(options: PlatformOptions): TypeOrmModuleOptions {
  return {
    type: 'postgres',
    url: options.config.DATABASE_URL,
    applicationName: `homeline-${options.service}`,
    migrations: [CreateIdempotencyKeys1764000000000, ...asArray(options.migrations)],
    // openDatabase runs them, under a lock; TypeORM's own migrationsRun would let replicas race.
    migrationsRun: false,
    synchronize: false,
    entities: asArray(options.entities),
    autoLoadEntities: true,
    logger: new TypeOrmLogs(),
    logging: ['error', 'warn', 'migration'],
    maxQueryExecutionTime: 1_000,
    extra: { max: 10, connectionTimeoutMillis: 5_000 },
    // Fail within seconds when the database is absent, rather than after Nest's default 27 s.
    retryAttempts: 3,
    retryDelay: 1_000,
  };
}

/**
 * Connects, then (unless MIGRATIONS=skip) applies pending migrations in one transaction while
 * holding an advisory lock: replicas starting together take turns, and the later ones find
 * nothing left to do. In Kubernetes an init container applies them (MIGRATIONS=only) and the
 * service itself starts with MIGRATIONS=skip (it could then run under a role without DDL rights).
 */
export const openDatabase =
  (migrations: MigrationMode): TypeOrmDataSourceFactory =>
  async (options?: DataSourceOptions) => {
    const dataSource = await new DataSource(options!).initialize();
    try {
      if (migrations !== 'skip') await migrateUnderLock(dataSource);
      return dataSource;
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
  };

async function migrateUnderLock(dataSource: DataSource): Promise<void> {
  const session = dataSource.createQueryRunner();
  await session.connect();
  try {
    await session.query(`SELECT pg_advisory_lock(hashtext('homeline.migrations'))`);
    await dataSource.runMigrations({ transaction: 'all' });
  } finally {
    await session.query(`SELECT pg_advisory_unlock(hashtext('homeline.migrations'))`).catch(() => undefined);
    await session.release();
  }
}

function asArray<T>(list: T[] | Record<string, T> | undefined): T[] {
  if (!list) return [];
  return Array.isArray(list) ? list : Object.values(list);
}
