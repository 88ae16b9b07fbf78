import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { processServer } from './embedded-server';

/** A PostgreSQL server for tests: hands out a fresh database per call. */
export interface TestPostgres {
  /** URL of the server's maintenance database. */
  readonly serverUrl: string;
  /** Creates an empty database and returns its connection URL. */
  createDatabase(name?: string): Promise<string>;
  /** Drops the databases created through this handle. The embedded server lives until the process ends. */
  stop(): Promise<void>;
}

export interface StartTestPostgresOptions {
  /** A server to use instead of the embedded one; defaults to env DATABASE_URL. */
  readonly serverUrl?: string;
}

/** Runs `work` on a connection of its own to `url`, closed afterwards whatever happens. */
export const withClient = async <T>(url: string, work: (client: Client) => Promise<T>): Promise<T> => {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

/** URL of `database` on the server at `serverUrl`. */
export const databaseUrl = (serverUrl: string, database: string): string => {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
};

/**
 * The server at DATABASE_URL when set, else one embedded PostgreSQL server per process (jest
 * runs a worker's test files in one process: they share it). Each `createDatabase` call returns
 * a fresh database, so tests never share state.
 */
export const startTestPostgres = async (options: StartTestPostgresOptions = {}): Promise<TestPostgres> => {
  const serverUrl = options.serverUrl ?? process.env.DATABASE_URL ?? (await processServer());
  const created: string[] = [];
  return {
    serverUrl,
    createDatabase: async (name = `test_${randomBytes(6).toString('hex')}`) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name: ${name}`);
      await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
      created.push(name);
      return databaseUrl(serverUrl, name);
    },
    stop: async () => {
      const names = created.splice(0);
      if (names.length === 0) return;
      await withClient(serverUrl, async (c) => {
        for (const name of names) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
};
