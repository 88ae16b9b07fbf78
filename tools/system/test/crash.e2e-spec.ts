import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually, freePort, removeDataDir } from '@homeline/testing';
import { HomelineClient, type Credentials, type Endpoints } from '../src/homeline-client';
import { createHousehold } from '../src/household';
import { placeCallsAtRate, settleCalls } from '../src/load';
import { killTree } from '../src/process-tree';
import { startSystem, type RunningSystem } from '../src/running-system';
import { expectSound, unlimited } from './support/soundness';

/**
 * docs/architecture.md section 4: no lost event when any process is killed at any point, and no
 * duplicated effect. Under load, one service at a time is SIGKILLed and started again; then the
 * whole stack of `npm start` (PostgreSQL and the broker included) is. Every call that got its 202
 * must reach a final state, with no event twice in its timeline, and the audit must hold it.
 */
describe('a service killed -9 under load', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({ env: { routing: unlimited } });
  }, 180_000);
  afterAll(() => system?.stop());

  it.each(['calls', 'identity', 'routing', 'audit'] as const)(
    'loses no accepted call and duplicates no effect when %s is killed and restarted',
    async (service) => {
      const home = await createHousehold(system.client);
      const load = placeCallsAtRate(system.client, home, 15, 6);
      await load.accepted(10); // under load: calls in every state of their setup when the kill comes
      await system.killService(service);
      await system.startService(service);
      const { accepted } = await load.done;
      const calls = await settleCalls(system.client, accepted);
      expect(calls).toHaveLength(accepted.length);
      await expectSound(system.client, calls);
    },
    240_000,
  );
});

describe('the whole stack killed -9 under load', () => {
  const root = resolve(__dirname, '..', '..', '..');
  let dir: string;
  let stack: ChildProcess | undefined;
  const ports: Record<string, number> = {};

  const start = async (): Promise<ChildProcess> => {
    const env = {
      ...process.env,
      HOMELINE_DATA_DIR: dir,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
      ...unlimited,
      EMBEDDED_POSTGRES_PORT: String(ports.postgres),
      EMBEDDED_KAFKA_PORT: String(ports.kafka),
      HTTP_PORT_CALLS: String(ports.calls),
      HTTP_PORT_IDENTITY: String(ports.identity),
      HTTP_PORT_ROUTING: String(ports.routing),
      HTTP_PORT_AUDIT: String(ports.audit),
      CARRIER_SIM_PORT: String(ports.carrier),
    };
    const child = spawn(process.execPath, ['-r', join(root, 'tools', 'register.js'), join(root, 'tools', 'start.ts')], { cwd: root, env, stdio: 'ignore' });
    await eventually(async () => {
      for (const service of ['calls', 'identity', 'routing', 'audit']) {
        expect((await fetch(`http://127.0.0.1:${ports[service]}/health/ready`)).status).toBe(200);
      }
    }, { timeoutMs: 150_000, intervalMs: 500 });
    return child;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'homeline-crash-'));
    for (const name of ['postgres', 'kafka', 'calls', 'identity', 'routing', 'audit', 'carrier']) ports[name] = await freePort();
  });
  afterAll(async () => {
    if (stack?.pid) {
      const exited = new Promise((r) => stack!.once('exit', r));
      stack.kill('SIGTERM');
      await exited;
    }
    await removeDataDir(dir); // with PostgreSQL's data, where it was staged outside it
  });

  it('loses no accepted call and duplicates no effect when everything is killed at once and started again', async () => {
    stack = await start();
    const credentials = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as Credentials;
    const endpoints = Object.fromEntries(['calls', 'identity', 'routing', 'audit'].map((s) => [s, `http://127.0.0.1:${ports[s]}`])) as unknown as Endpoints;
    const client = new HomelineClient(endpoints, credentials);
    const home = await createHousehold(client);
    const load = placeCallsAtRate(client, home, 20, 3);
    await load.accepted(15);
    killTree(stack.pid!); // supervisor, services, PostgreSQL, broker: all at once
    const { accepted } = await load.done;

    stack = await start(); // at once, on the same data
    const calls = await settleCalls(client, accepted, 120_000);
    expect(calls).toHaveLength(accepted.length);
    await expectSound(client, calls);
  }, 420_000);
});
