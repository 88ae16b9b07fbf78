import { freePort } from '@homeline/testing';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..', '..');
const services = ['calls', 'identity', 'routing', 'audit'] as const;

interface Started {
  readonly output: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): void;
}

/** `npm start` as a developer runs it, on its own data directory and ports. */
function npmStart(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, ['-r', './tools/register.js', 'tools/start.ts'], { cwd: root, env });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return { output, exit, stop: () => child.kill('SIGTERM') };
}

async function untilRunning(started: Started): Promise<void> {
  let exited = false;
  void started.exit.then(() => (exited = true));
  while (!started.output.some((line) => line.includes('Homeline is running.'))) {
    if (exited) throw new Error(`npm start exited:\n${started.output.join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('npm start', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let ports: Record<(typeof services)[number], number>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'homeline-start-'));
    await chmod(dataDir, 0o755); // PostgreSQL runs as its own user when we are root
    ports = { calls: await freePort(), identity: await freePort(), routing: await freePort(), audit: await freePort() };
    env = {
      PATH: process.env.PATH,
      HOMELINE_DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      EMBEDDED_KAFKA_PORT: String(await freePort()),
      ...Object.fromEntries(services.map((s) => [`HTTP_PORT_${s.toUpperCase()}`, String(ports[s])])),
      LOG_LEVEL: 'warn',
    };
  });

  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('runs the four services on embedded PostgreSQL and Kafka, and stops them in order on SIGTERM', async () => {
    const started = npmStart(env);
    await untilRunning(started);

    for (const service of services) {
      const ready = await fetch(`http://127.0.0.1:${ports[service]}/health/ready`);
      expect({ service, status: ready.status }).toEqual({ service, status: 200 });
    }
    const credentials = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8'));
    expect(Object.keys(credentials).sort()).toEqual(['carrierWebhookSecret', 'complianceToken', 'integrationToken']);
    expect(started.output.join('\n')).toContain(join(dataDir, 'credentials.json'));

    started.stop();
    expect(await started.exit).toEqual({ code: 0, signal: null });
    const steps = started.output.filter((line) => line.startsWith('[start]')).map((line) => line.replace(/^\[start\]\s+/, ''));
    expect(steps.slice(-3)).toEqual(['stopping Kafka broker', 'stopping PostgreSQL', 'stopped']);
    await expect(fetch(`http://127.0.0.1:${ports.calls}/health/live`)).rejects.toThrow();
  });

  it('reuses its credentials and data directory on the next start', async () => {
    const before = await readFile(join(dataDir, 'credentials.json'), 'utf8');
    const started = npmStart(env);
    await untilRunning(started);
    expect(await readFile(join(dataDir, 'credentials.json'), 'utf8')).toBe(before);
    const { integrationToken } = JSON.parse(before);
    const guarded = await fetch(`http://127.0.0.1:${ports.calls}/v1/calls/00000000-0000-4000-8000-000000000000`, {
      headers: { authorization: `Bearer ${integrationToken}` },
    });
    expect(guarded.status).not.toBe(401);
    started.stop();
    expect(await started.exit).toEqual({ code: 0, signal: null });
  });

  it('stops everything, loudly, when a service cannot start', async () => {
    const started = npmStart({ ...env, LOG_LEVEL: 'loud' });
    expect(await started.exit).toEqual({ code: 1, signal: null });
    const output = started.output.join('\n');
    expect(output).toMatch(/\[\w+\]\s+\w+: invalid configuration:/);
    expect(output).toMatch(/exited \(code 1\); stopping everything/);
    expect(output).toContain('stopping PostgreSQL');
  });
});
