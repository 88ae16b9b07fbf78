import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { CreateIdempotencyKeys1764000000000 } from '../idempotency/create-idempotency-keys.migration';
import type { PlatformOptions } from '../platform.options';
import { TypeOrmLogs } from './typeorm-logs';

/**
 * The service's own database. The schema is the history of its migrations, run at start;
 * `synchronize` is never on.
 */
export function databaseOptions(options: PlatformOptions): TypeOrmModuleOptions {
  return {
    type: 'postgres',
    url: options.config.DATABASE_URL,
    applicationName: `homeline-${options.service}`,
    migrations: [CreateIdempotencyKeys1764000000000, ...asArray(options.migrations)],
    migrationsRun: true,
    migrationsTransactionMode: 'all',
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

function asArray<T>(list: T[] | Record<string, T> | undefined): T[] {
  if (!list) return [];
  return Array.isArray(list) ? list : Object.values(list);
}
