import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';

/** A PostgreSQL server for tests: hands out a fresh database per call. */
export interface TestPostgres {
  /** URL of the server's maintenance database (`postgres`). */
  readonly serverUrl: string;
  /** Creates an empty database and returns its connection URL. */
  createDatabase(name?: string): Promise<string>;
  /** Drops the databases created here and, for an embedded server, stops it. */
  stop(): Promise<void>;
}

const user = 'postgres';
const password = 'postgres';

// Durability off: tests never survive a host crash, and fsync dominates on small machines.
const testServerFlags = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
  '-c', 'max_connections=200', '-c', "unix_socket_directories="];

export interface StartTestPostgresOptions {
  /** Extra `postgres` flags; the benchmark uses this to keep durability on. */
  readonly postgresFlags?: readonly string[];
  /** A server URL to use instead of starting one; defaults to env DATABASE_URL. */
  readonly serverUrl?: string;
}

// One embedded server per module instance (jest gives each test file its own), shared by callers.
let shared: { server: Promise<EmbeddedServer>; users: number } | undefined;

interface EmbeddedServer { readonly url: string; stop(): Promise<void> }

const serverScript = join(__dirname, 'embedded-postgres-server.mjs');

const startEmbedded = async (flags: readonly string[]): Promise<EmbeddedServer> => {
  const dir = await mkdtemp(join(tmpdir(), 'homeline-pg-'));
  await chmod(dir, 0o755); // the server runs as user postgres when we are root
  const port = await freePort();
  const child = spawn(process.execPath, [serverScript, join(dir, 'data'), String(port), user, password, JSON.stringify(flags)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('READY') && resolve());
    child.once('exit', (code) => reject(new Error(`embedded postgres exited (${code}): ${stderr}`)));
  });
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      child.stdin.end();
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
};

const acquireEmbedded = (flags: readonly string[]): Promise<EmbeddedServer> => {
  if (!shared) shared = { server: startEmbedded(flags), users: 0 };
  shared.users += 1;
  return shared.server;
};

const releaseEmbedded = async (): Promise<void> => {
  if (!shared) return;
  shared.users -= 1;
  if (shared.users > 0) return;
  const { server } = shared;
  shared = undefined;
  await (await server).stop();
};

const withClient = async <T>(url: string, work: (client: Client) => Promise<T>): Promise<T> => {
  const client = new Client({ connectionString: url });
  await client.connect();
  try { return await work(client); } finally { await client.end(); }
};

/** URL of `database` on the server at `serverUrl`. */
export const databaseUrl = (serverUrl: string, database: string): string => {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
};

/**
 * Starts (or reuses) an embedded PostgreSQL server, or uses the server at DATABASE_URL when set.
 * Each `createDatabase` call returns a fresh database, so test files never share state.
 */
export const startTestPostgres = async (options: StartTestPostgresOptions = {}): Promise<TestPostgres> => {
  const external = options.serverUrl ?? process.env.DATABASE_URL;
  const serverUrl = external ?? (await acquireEmbedded(options.postgresFlags ?? testServerFlags)).url;
  const created: string[] = [];
  let stopped = false;
  return {
    serverUrl,
    createDatabase: async (name = `test_${randomBytes(6).toString('hex')}`) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name: ${name}`);
      await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
      created.push(name);
      return databaseUrl(serverUrl, name);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (external) {
        await withClient(serverUrl, async (c) => {
          for (const name of created) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        });
        return;
      }
      await releaseEmbedded();
    },
  };
};
