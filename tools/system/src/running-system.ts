import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startBroker } from '@homeline/kafka-embedded';
import { freePort, startTestPostgres } from '@homeline/testing';
import { HomelineClient, type Credentials, type Endpoints } from './homeline-client';

const root = resolve(__dirname, '..', '..', '..');
const services = ['identity', 'calls', 'routing', 'audit'] as const;
type Service = (typeof services)[number];

export interface SystemOptions {
  /** Carrier simulator behaviour per destination (E.164): answer, busy, no_answer, fail, ring. */
  readonly carrierBehaviours?: Readonly<Record<string, string>>;
  /** Extra environment per service. */
  readonly env?: Partial<Record<Service, Record<string, string>>>;
}

export interface RunningSystem {
  readonly client: HomelineClient;
  readonly endpoints: Endpoints;
  readonly credentials: Credentials;
  /** Where each service's log goes, for a failing test to point at. */
  readonly logDir: string;
  /** The embedded broker's address, for a test or probe that reads the topics itself. */
  readonly kafkaBrokers: string;
  /** POSTs a carrier status callback to routing, signed as the carrier signs (or with another secret). */
  postCarrierStatus(callback: Record<string, unknown>, secret?: string): Promise<Response>;
  stopService(service: Service): Promise<void>;
  startService(service: Service): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole system as `npm start` runs it, on throwaway state: one PostgreSQL server with a database
 * per service, the embedded broker, and the four services as child processes on free ports.
 */
export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  const dir = await mkdtemp(join(tmpdir(), 'homeline-system-'));
  const postgres = await startTestPostgres();
  const broker = await startBroker({ dataDir: join(dir, 'kafka'), port: 0, initialRebalanceDelayMs: 0 });
  const credentials: Credentials = {
    integrationToken: randomBytes(24).toString('base64url'),
    complianceToken: randomBytes(24).toString('base64url'),
    carrierWebhookSecret: randomBytes(24).toString('base64url'),
  };
  const ports = Object.fromEntries(await Promise.all(services.map(async (s) => [s, await freePort()]))) as Record<Service, number>;
  const endpoints = Object.fromEntries(services.map((s) => [s, `http://127.0.0.1:${ports[s]}`])) as unknown as Endpoints;
  const databases = Object.fromEntries(await Promise.all(services.map(async (s) => [s, await postgres.createDatabase(`homeline_${s}`)]))) as Record<Service, string>;
  const common = {
    KAFKA_BROKERS: broker.address,
    INTEGRATION_TOKEN: credentials.integrationToken,
    LOG_LEVEL: 'info',
  };
  const envOf = (service: Service): Record<string, string> => ({
    ...common,
    HTTP_PORT: String(ports[service]),
    DATABASE_URL: databases[service],
    ...(service === 'audit' ? { COMPLIANCE_TOKEN: credentials.complianceToken } : {}),
    ...(service === 'identity' ? { VOICEPRINT_KEY: randomBytesFor(dir) } : {}),
    ...(service === 'routing'
      ? { CARRIER_WEBHOOK_SECRET: credentials.carrierWebhookSecret, CARRIER_SIM_BEHAVIOURS: JSON.stringify(options.carrierBehaviours ?? {}), CARRIER_SIM_STEP_MS: '20' }
      : {}),
    ...(service === 'calls' ? { CALL_VERIFICATION_TIMEOUT_MS: '3000' } : {}),
    ...(options.env?.[service] ?? {}),
  });

  const running = new Map<Service, ChildProcess>();
  const start = async (service: Service) => {
    const log = createWriteStream(join(dir, `${service}.log`), { flags: 'a' });
    const child = spawn(process.execPath, ['-r', join(root, 'tools', 'register.js'), join(root, 'services', service, 'src', 'main.ts')], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...envOf(service) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    running.set(service, child);
    await waitUntilReady(`${endpoints[service]}/health/ready`, child, join(dir, `${service}.log`));
  };
  const stopService = async (service: Service) => {
    const child = running.get(service);
    running.delete(service);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await Promise.all(services.map(start));
  } catch (error) {
    await Promise.all(services.map(stopService));
    await broker.stop();
    await postgres.stop();
    throw error;
  }

  return {
    client: new HomelineClient(endpoints, credentials),
    endpoints,
    credentials,
    logDir: dir,
    kafkaBrokers: broker.address,
    postCarrierStatus: (callback, secret = credentials.carrierWebhookSecret) => {
      const body = JSON.stringify(callback);
      const t = Math.floor(Date.now() / 1000);
      const signature = `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
      return fetch(`${endpoints.routing}/v1/carrier/status`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-carrier-signature': signature }, body });
    },
    stopService,
    startService: start,
    stop: async () => {
      await Promise.all(services.map(stopService));
      await broker.stop();
      await postgres.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// One voiceprint key per system: generated, never stored in the repository.
const keys = new Map<string, string>();
const randomBytesFor = (dir: string): string => {
  if (!keys.has(dir)) keys.set(dir, randomBytes(32).toString('base64'));
  return keys.get(dir)!;
};

async function waitUntilReady(url: string, child: ChildProcess, logFile: string, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode} before it was ready; see ${logFile}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms; see ${logFile}`);
}
