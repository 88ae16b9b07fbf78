import { eventually, freePorts, removeDataDir } from '@homeline/testing';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..', '..');
const services = ['calls', 'identity', 'routing', 'audit'] as const;

interface Started {
  readonly output: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): void;
  /** kill -9 of its whole process group, as a terminal's job control or a crashing session does. */
  killGroup(): void;
}

/** `npm start` as a developer runs it (in a process group of its own, like a shell job), on its own data directory and ports. */
function npmStart(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, ['-r', './tools/register.js', 'tools/start.ts'], { cwd: root, env, detached: true });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return { output, exit, stop: () => child.kill('SIGTERM'), killGroup: () => process.kill(-child.pid!, 'SIGKILL') };
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
    // Seven different ports: picked one after another, PostgreSQL's and identity's once were the same.
    const [calls, identity, routing, audit, postgres, kafka, carrierSim] = await freePorts(7);
    ports = { calls, identity, routing, audit };
    env = {
      PATH: process.env.PATH,
      HOMELINE_DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(postgres),
      EMBEDDED_KAFKA_PORT: String(kafka),
      CARRIER_SIM_PORT: String(carrierSim),
      ...Object.fromEntries(services.map((s) => [`HTTP_PORT_${s.toUpperCase()}`, String(ports[s])])),
      LOG_LEVEL: 'warn',
    };
  });

  afterAll(() => removeDataDir(dataDir)); // with PostgreSQL's data, where it was staged outside it

  it('runs the four services on embedded PostgreSQL and Kafka, and stops them in order on SIGTERM', async () => {
    const started = npmStart(env);
    await untilRunning(started);

    for (const service of services) {
      const ready = await fetch(`http://127.0.0.1:${ports[service]}/health/ready`);
      expect({ service, status: ready.status }).toEqual({ service, status: 200 });
    }
    const credentials = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8'));
    expect(Object.keys(credentials).sort()).toEqual(['carrierWebhookSecret', 'complianceToken', 'integrationToken', 'recoveryToken']);
    // identity takes the carrier's recovery token on account recovery, and the integration's only elsewhere.
    const recovery = (token: string) => fetch(`http://127.0.0.1:${ports.identity}/v1/accounts/00000000-0000-4000-8000-000000000000/approvers/recovery`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'test' }),
    });
    expect((await recovery(credentials.recoveryToken)).status).toBe(404); // account_not_found: past the token check
    expect((await recovery(credentials.integrationToken)).status).toBe(401);
    expect(started.output.join('\n')).toContain(join(dataDir, 'credentials.json'));
    // The audit's verifier key, for a compliance team to pin (docs/architecture.md section 7).
    expect(await readFile(join(dataDir, 'audit.vkey'), 'utf8')).toMatch(/^homeline\.localhost\/audit\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}\n$/);
    // Each service authenticates to the broker as its own Kafka user (deploy/k8s KafkaUsers), passwords generated here.
    const kafkaUsers = JSON.parse(await readFile(join(dataDir, 'kafka-users.json'), 'utf8'));
    expect(Object.keys(kafkaUsers).sort()).toEqual(['homeline-admin', 'homeline-audit', 'homeline-calls', 'homeline-identity', 'homeline-routing']);
    expect(started.output.join('\n')).toMatch(/client authenticated.*"user":"homeline-routing"/);

    started.stop();
    expect(await started.exit).toEqual({ code: 0, signal: null });
    const steps = started.output.filter((line) => line.startsWith('[start]')).map((line) => line.replace(/^\[start\]\s+/, ''));
    expect(steps.slice(-3)).toEqual(['stopping Kafka broker', 'stopping PostgreSQL', 'stopped']);
    await expect(fetch(`http://127.0.0.1:${ports.calls}/health/live`)).rejects.toThrow();
  });

  it('reuses its credentials and data directory on the next start, adding what an older version did not write', async () => {
    // As a version before the recovery token wrote it.
    const { recoveryToken, ...older } = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8'));
    await writeFile(join(dataDir, 'credentials.json'), JSON.stringify(older));
    const before = JSON.stringify(older);
    const kafkaUsersBefore = await readFile(join(dataDir, 'kafka-users.json'), 'utf8');
    const started = npmStart(env);
    await untilRunning(started);
    const after = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8'));
    expect(after).toEqual({ ...older, recoveryToken: expect.any(String) });
    expect(after.recoveryToken).not.toBe(recoveryToken);
    expect(await readFile(join(dataDir, 'kafka-users.json'), 'utf8')).toBe(kafkaUsersBefore);
    const { integrationToken } = JSON.parse(before);
    const guarded = await fetch(`http://127.0.0.1:${ports.calls}/v1/calls/00000000-0000-4000-8000-000000000000`, {
      headers: { authorization: `Bearer ${integrationToken}` },
    });
    expect(guarded.status).not.toBe(401);
    started.stop();
    expect(await started.exit).toEqual({ code: 0, signal: null });
  });

  it('comes up again when started at once after its whole process group was killed with kill -9', async () => {
    const first = npmStart(env);
    await untilRunning(first);
    first.killGroup();
    // The supervisor (a process group of its own) now stops what it started. Held still, it is
    // certainly "still stopping" when the next start looks, however fast this machine is.
    const { pid: supervisor } = JSON.parse(await readFile(join(dataDir, 'stack.lock'), 'utf8')) as { pid: number };
    process.kill(supervisor, 'SIGSTOP');
    const again = npmStart(env);
    try {
      await eventually(() => expect(again.output.join('\n')).toMatch(/started earlier from .* is still stopping/), { timeoutMs: 60_000 });
    } finally {
      process.kill(supervisor, 'SIGCONT');
    }
    await untilRunning(again);
    for (const service of services) {
      const ready = await fetch(`http://127.0.0.1:${ports[service]}/health/ready`);
      expect({ service, status: ready.status }).toEqual({ service, status: 200 });
    }

    // A second stack on the same data directory while this one runs is refused, saying why.
    const second = npmStart(env);
    expect(await second.exit).toEqual({ code: 1, signal: null });
    expect(second.output.join('\n')).toMatch(/could not start: Homeline is already running from .*: stop it first/);

    again.stop();
    expect(await again.exit).toEqual({ code: 0, signal: null });
    expect([...again.output, ...second.output].join('\n')).not.toContain('undefined');
  });

  it('says which port is taken, by whom and how to move it, when something else really holds one', async () => {
    const squatter = createServer();
    await new Promise<void>((listening) => squatter.listen(ports.calls, '127.0.0.1', listening));
    try {
      const started = npmStart(env);
      expect(await started.exit).toEqual({ code: 1, signal: null });
      const output = started.output.join('\n');
      expect(output).toContain(`could not start: port ${ports.calls} (calls's HTTP port) is in use by pid ${process.pid}`);
      expect(output).toContain('HTTP_PORT_CALLS=<another port>');
      expect(output).not.toContain('undefined');
    } finally {
      squatter.close();
    }
  });

  it('stops everything, loudly, when a service cannot start', async () => {
    const started = npmStart({ ...env, LOG_LEVEL: 'loud' });
    expect(await started.exit).toEqual({ code: 1, signal: null });
    const output = started.output.join('\n');
    expect(output).toMatch(/\[[\w-]+\]\s+[\w-]+: invalid configuration:/);
    expect(output).toMatch(/exited \(code 1\); stopping everything/);
    expect(output).toContain('stopping PostgreSQL');
  });
});
