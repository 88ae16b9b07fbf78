import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';

const user = 'postgres';
const password = 'postgres';

// Durability off: test data never needs to survive a host crash, and fsync dominates on small machines.
export const embeddedServerSettings = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
  '-c', 'max_connections=300', '-c', 'unix_socket_directories='];

// `npm run bench -- --statements` asks for statement statistics (tools/bench/statements.ts); they cost CPU, so only then.
export const statementStatsEnv = 'EMBEDDED_POSTGRES_STATEMENT_STATS';
const statementStats = (): string[] =>
  process.env[statementStatsEnv] === '1'
    ? ['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track_planning=on']
    : [];

// jest gives every test file fresh module state but runs them in one process: a file in tmp,
// named after the process, lets every test file of the process find the one server.
const registryFile = join(tmpdir(), `homeline-test-pg-${process.pid}.json`);

const isUp = async (url: string): Promise<boolean> => {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
};

const registered = async (): Promise<string | undefined> => {
  if (!existsSync(registryFile)) return undefined;
  const { url } = JSON.parse(await readFile(registryFile, 'utf8')) as { url: string };
  return (await isUp(url)) ? url : undefined;
};

const launch = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'homeline-pg-'));
  await chmod(dir, 0o755); // the server runs as user postgres when we are root (see postgres-placement.ts)
  const port = await freePort();
  const script = join(__dirname, 'embedded-postgres-server.ts');
  const register = join(__dirname, '..', '..', '..', 'tools', 'register.js');
  const child = spawn(process.execPath, ['-r', register, script, dir, String(port), user, password, JSON.stringify([...embeddedServerSettings, ...statementStats()]), registryFile], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('READY') && resolve());
    child.once('exit', (code) => reject(new Error(`embedded postgres exited (${code}): ${stderr}`)));
  });
  // From here on the server must not keep this process alive; it stops when this process ends.
  child.stdout.destroy();
  child.stderr.destroy();
  (child.stdin as unknown as { unref(): void }).unref();
  child.unref();
  const url = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
  await writeFile(registryFile, JSON.stringify({ url, pid: child.pid }));
  return url;
};

let starting: Promise<string> | undefined;

/** URL of this process's embedded server, started on first use and stopped when the process exits. */
export const processServer = async (): Promise<string> => {
  starting ??= registered().then((url) => url ?? launch());
  try {
    return await starting;
  } catch (error) {
    starting = undefined;
    throw error;
  }
};
