import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { eventually, freePort, portIsFree } from '@homeline/testing';
import { Kafka, logLevel } from 'kafkajs';

/**
 * `npm run broker:apache`: Apache Kafka fetched with Maven on first use, run until SIGTERM, and a
 * clear word when Java or Maven is missing. The cache is the repository's own (.cache/apache-kafka),
 * so only a clean clone's first run fetches.
 */
const root = resolve(__dirname, '..', '..', '..');
const cli = join(root, 'tools', 'apache-kafka', 'cli.ts');
const which = (tool: string) => realpathSync(join('/usr/bin', tool));

/** A PATH holding only the tools named (symlinked), so a test can take Java or Maven away. */
function pathWith(tools: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'path-'));
  for (const tool of tools) symlinkSync(which(tool), join(dir, tool));
  return dir;
}

const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.exitCode === null && c.kill('SIGTERM')));

function run(args: string[], env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(process.execPath, ['-r', join(root, 'tools', 'register.js'), cli, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const listening = new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /listening on (127\.0\.0\.1:\d+)/.exec(line);
      if (m) done(m[1]);
    });
    void exit.then((code) => fail(new Error(`exited ${code}: ${stderr}`)));
  });
  listening.catch(() => undefined); // a test that expects the exit does not wait for this
  return { child, exit, listening, stderr: () => stderr };
}

async function serves(address: string): Promise<void> {
  const admin = new Kafka({ clientId: 'broker-apache-test', brokers: [address], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    expect(await admin.createTopics({ topics: [{ topic: 'made-here', numPartitions: 2 }] })).toBe(true);
    expect(await admin.describeCluster()).toMatchObject({ controller: 1, brokers: [expect.objectContaining({ nodeId: 1, port: Number(address.split(':')[1]) })] });
  } finally {
    await admin.disconnect();
  }
}

describe('npm run broker:apache', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'broker-apache-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('fetches Kafka if it must, formats the directory, serves on the port and stops cleanly on SIGTERM', async () => {
    const started = run(['--port', String(await freePort()), '--data-dir', dataDir, '--initial-rebalance-delay-ms', '0'], { PATH: process.env.PATH });
    await serves(await started.listening);
    started.child.kill('SIGTERM');
    expect(await started.exit).toBe(0);
    expect(started.stderr()).toMatch(/stopping Kafka \(controlled shutdown\)/);
  }, 300_000);

  it('starts again from its cache without Maven, on the same data', async () => {
    const port = await freePort();
    const started = run(['--port', String(port), '--data-dir', dataDir], { PATH: pathWith(['java']) });
    const address = await started.listening;
    const admin = new Kafka({ clientId: 'broker-apache-test', brokers: [address], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    expect(await admin.listTopics()).toContain('made-here');
    await admin.disconnect();
    expect(started.stderr()).not.toMatch(/fetching/);
    started.child.kill('SIGTERM');
    expect(await started.exit).toBe(0);
  }, 180_000);

  it('stops Kafka when the npm that started it is stopped: npm passes no SIGTERM on (.ci/run stops it so)', async () => {
    const own = mkdtempSync(join(tmpdir(), 'broker-apache-npm-'));
    const port = await freePort();
    const npm = spawn('npm', ['run', '-s', 'broker:apache', '--', '--port', String(port), '--data-dir', own, '--initial-rebalance-delay-ms', '0'], {
      cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(npm);
    const java = await new Promise<number>((done, fail) => {
      createInterface({ input: npm.stdout! }).on('line', (line) => {
        const m = /listening on .*\(pid (\d+)\)/.exec(line);
        if (m) done(Number(m[1]));
      });
      npm.once('exit', (code) => fail(new Error(`npm exited ${code}`)));
    });
    npm.kill('SIGTERM');
    try {
      // Kafka's controlled shutdown takes a few seconds; until then its port still takes connections.
      await eventually(async () => expect(await portIsFree(port)).toBe(true), { timeoutMs: 60_000, intervalMs: 500 });
    } finally {
      if (!(await portIsFree(port))) process.kill(java, 'SIGKILL'); // left running: do not leak it past the test
      rmSync(own, { recursive: true, force: true });
    }
  }, 300_000);

  it('says clearly when Java is missing', async () => {
    const started = run(['--port', String(await freePort()), '--data-dir', dataDir], { PATH: pathWith([]) });
    expect(await started.exit).toBe(1);
    expect(started.stderr()).toMatch(/java not found\. Apache Kafka 4\.x needs Java 17 or newer/);
  });

  it('says clearly when Maven is missing and the jars are not cached yet', async () => {
    const emptyCache = mkdtempSync(join(tmpdir(), 'kafka-cache-'));
    const started = run(['--port', String(await freePort()), '--data-dir', dataDir], { PATH: pathWith(['java']), APACHE_KAFKA_CACHE: emptyCache });
    expect(await started.exit).toBe(1);
    expect(started.stderr()).toMatch(/mvn not found\. Maven fetches Kafka's jars from Maven Central on first use/);
    rmSync(emptyCache, { recursive: true, force: true });
  });
});
