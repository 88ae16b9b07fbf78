import { execFileSync, spawn } from 'node:child_process';
import { chmod, cp, lstat, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, isAlive, startPostgresCluster, type PostgresCluster, type PostgresClusterOptions } from '../src';
import { packagedBinaries } from '../src/postgres-placement';

const root = process.getuid?.() === 0;
const password = 'cluster-test-password';

const query = async (cluster: PostgresCluster, sql: string) => {
  const client = new Client({ connectionString: `postgres://homeline:${password}@127.0.0.1:${cluster.port}/postgres` });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
};

describe('a PostgreSQL cluster', () => {
  let dir: string;
  let stage: string;
  const running: PostgresCluster[] = [];
  const start = async (options: Partial<PostgresClusterOptions> = {}) => {
    const cluster = await startPostgresCluster({
      dataDir: join(dir, 'data'), port: await freePort(), user: 'homeline', password, authMethod: 'scram-sha-256', durable: false, ...options,
    });
    running.push(cluster);
    return cluster;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'homeline-cluster-'));
    await chmod(dir, 0o755);
    // Where a root run stages what postgres cannot reach: a fresh root-owned directory per test.
    stage = await mkdtemp(join(tmpdir(), 'homeline-stage-'));
    await chmod(stage, 0o755);
    process.env.HOMELINE_POSTGRES_STAGE_DIR = stage;
  });

  afterEach(async () => {
    for (const cluster of running.splice(0)) await cluster.stop();
    delete process.env.HOMELINE_POSTGRES_STAGE_DIR;
    await rm(dir, { recursive: true, force: true });
    await rm(stage, { recursive: true, force: true });
  });

  it('runs from binaries and a data directory inside a directory only its owner may enter, and keeps its data', async () => {
    // A clone in /root or in `mktemp -d`: mode 700, its node_modules and .data inside.
    const privateDir = await mkdtemp(join(dir, 'private-'));
    expect((await stat(privateDir)).mode & 0o777).toBe(0o700);
    const binaries = join(privateDir, 'node_modules', 'native');
    await cp(packagedBinaries(), binaries, { recursive: true, verbatimSymlinks: true });
    const dataDir = join(privateDir, '.data', 'postgres');

    const first = await start({ dataDir, binaries, durable: true });
    await query(first, `CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')`);
    await first.stop();
    const again = await start({ dataDir, binaries });
    expect(await query(again, `SELECT note FROM kept`)).toEqual([{ note: 'still here' }]);

    if (root) {
      // postgres cannot enter the private directory: its data lives in the stage, linked from where it was asked for.
      expect((await lstat(dataDir)).isSymbolicLink()).toBe(true);
      expect(again.dataDir.startsWith(stage)).toBe(true);
      const placed = await stat(again.dataDir);
      expect({ owner: placed.uid, mode: placed.mode & 0o777 }).toEqual({ owner: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), mode: 0o700 });
    } else {
      expect(again.dataDir).toBe(dataDir);
    }
  });

  it("fails with PostgreSQL's own words, never without a message", async () => {
    await expect(start({ flags: ['-c', 'no_such_setting=1'] })).rejects.toThrow(/PostgreSQL did not start .*unrecognized configuration parameter "no_such_setting"/);
  });

  it('says which process holds its port', async () => {
    const squatter = createServer();
    const port = await freePort();
    await new Promise<void>((listening) => squatter.listen(port, '127.0.0.1', listening));
    try {
      await expect(start({ port, leftoverWaitMs: 300 })).rejects.toThrow(
        new RegExp(`PostgreSQL cannot listen on port ${port}: it is in use by pid ${process.pid} \\(.*node`),
      );
    } finally {
      squatter.close();
    }
  });

  it('stops a PostgreSQL an earlier, killed run left on its data directory, when told to', async () => {
    const leftover = await start();
    const said: string[] = [];
    const next = await start({ stopLeftover: true, say: (line) => said.push(line) });
    expect(isAlive(leftover.pid)).toBe(false);
    expect(said.join('\n')).toContain(`a PostgreSQL of an earlier run still uses`);
    expect(await query(next, 'SELECT 1 AS up')).toEqual([{ up: 1 }]);
  });

  it('otherwise waits for it, then names the processes still using the data directory', async () => {
    const leftover = await start();
    await expect(start({ leftoverWaitMs: 500 })).rejects.toThrow(
      new RegExp(`a PostgreSQL of an earlier run still uses .* \\(pids [0-9, ]*${leftover.pid}`),
    );
    expect(await query(leftover, 'SELECT 1 AS up')).toEqual([{ up: 1 }]);
  });

  it('clears a postmaster.pid naming a pid that another process now has', async () => {
    const cluster = await start();
    await cluster.stop();
    running.splice(0);
    // A process of the server's own user, so PostgreSQL's kill(pid, 0) finds it alive.
    const runAs = root ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) } : {};
    const other = spawn('sleep', ['60'], { ...runAs, stdio: 'ignore' });
    try {
      await writeFile(join(cluster.dataDir, 'postmaster.pid'), `${other.pid}\n${cluster.dataDir}\n`);
      const restarted = await start({ leftoverWaitMs: 2_000 });
      expect(await query(restarted, 'SELECT 1 AS up')).toEqual([{ up: 1 }]);
    } finally {
      other.kill();
    }
  });
});
