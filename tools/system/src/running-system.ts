import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CarrierSimClient, type CarrierBehaviour } from '@homeline/carrier-sim';
import { freePorts, kafkaUserOf, saslEnv, startTestKafka, startTestPostgres, type TestKafka } from '@homeline/testing';
import { formatSignerKey, parseSignerKey } from '@homeline/tlog';
import { HomelineClient, type Credentials, type Endpoints } from './homeline-client';
import { extraReplicas, known, processes, serviceOf, services, type Instance, type Process, type Service } from './instances';

export type { Instance } from './instances';

const root = resolve(__dirname, '..', '..', '..');

/** The variable that hands tools/bench/one-process.ts each service's environment (JSON, by service). */
const oneProcessEnv = 'HOMELINE_SERVICE_ENVS';

export interface SystemOptions {
  /** Carrier simulator behaviour per destination (E.164): answer, busy, no_answer, fail, ring. */
  readonly carrierBehaviours?: Readonly<Record<string, CarrierBehaviour>>;
  /** Delay before each simulated carrier status, in ms (default 20; 0 for the bench). */
  readonly carrierStepMs?: number;
  /** Extra environment per service, and for the carrier simulator. */
  readonly env?: Partial<Record<Process, Record<string, string>>>;
  /** Extra node options for every service process, e.g. ['--cpu-prof', '--cpu-prof-dir=prof'] (the bench's --profile). */
  readonly nodeOptions?: readonly string[];
  /** Use this Kafka (host:port,...) instead of starting the embedded broker in this process. */
  readonly kafkaBrokers?: string;
  /**
   * Processes per service (default 1). Each further replica (`routing#2`, ...) gets its own HTTP
   * port and otherwise the service's environment: the same DATABASE_URL and Kafka user, so the
   * same consumer groups; it starts once the first replica has applied the migrations, with
   * MIGRATIONS=skip, as a Kubernetes replica does. The carrier's webhooks go to the first replica.
   */
  readonly replicas?: Readonly<Partial<Record<Service, number>>>;
  /**
   * The four services in ONE Node process (tools/bench/one-process.ts), each still its own app with
   * its own environment, port, database and Kafka clients: what fewer processes would save (the
   * bench's --one-process). Stopping or killing any of them stops all four; no replicas.
   */
  readonly oneProcess?: boolean;
}

export interface RunningSystem {
  readonly client: HomelineClient;
  readonly endpoints: Endpoints;
  readonly credentials: Credentials;
  /** The carrier simulator's /sim endpoints: a caller dialling in or hanging up, what the carrier was asked. */
  readonly carrier: CarrierSimClient;
  /** Where each service's log goes, for a failing test to point at. */
  readonly logDir: string;
  /** Each service's database URL, for tests and probes that look inside (never the services' own API). */
  readonly databaseUrls: Readonly<Record<Service, string>>;
  /** Every replica's base URL per service, the first one's (`endpoints`) first. */
  readonly replicaEndpoints: Readonly<Record<Service, readonly string[]>>;
  /** Each running process's id (for CPU accounting and crash tests). */
  pidOf(process: Instance): number | undefined;
  /** The audit's verifier key (`<name>+<hex id>+<base64>`), as `npm start` writes it to .data/audit.vkey: what a verifier pins. */
  readonly auditVerifierKey: string;
  /** The audit service's DATABASE_URL, for a test that inspects (or tampers with) its tables directly. */
  readonly auditDatabaseUrl: string;
  /** The broker's address (embedded, or KAFKA_BROKERS), for a test or probe that reads the topics itself. */
  readonly kafkaBrokers: string;
  /** Kafka as the services see it: SASL/SCRAM users and the ACLs of deploy/k8s; `client()` is the admin. */
  readonly kafka: TestKafka;
  /** POSTs a carrier status callback to routing, signed as the carrier signs (or with another secret). */
  postCarrierStatus(callback: Record<string, unknown>, secret?: string): Promise<Response>;
  stopService(service: Instance): Promise<void>;
  /** SIGKILLs a service (no shutdown at all), as a crash would. */
  killService(service: Instance): Promise<void>;
  startService(service: Instance): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole system as `npm start` runs it, on throwaway state: one PostgreSQL server with a database
 * per service, the embedded broker, the four services and the carrier simulator as child processes
 * on free ports; routing speaks HTTP to the simulator, which posts signed webhooks back. With
 * DATABASE_URL and KAFKA_BROKERS set (CI's second phase), the databases are made on that server and
 * the services use that Kafka instead, emptied and given Homeline's topics first. As in production
 * (and `npm start`), each service authenticates as its own Kafka user with its KafkaUser's ACLs.
 */
export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  if (options.oneProcess && extraReplicas(options.replicas).length > 0) throw new Error('oneProcess runs one replica of each service');
  const dir = await mkdtemp(join(tmpdir(), 'homeline-system-'));
  const postgres = await startTestPostgres();
  // The bench runs its broker as a process of its own (to account its CPU apart), in plaintext.
  const secure = !options.kafkaBrokers;
  const kafka = await startTestKafka({ brokers: options.kafkaBrokers, security: secure });
  const run = randomBytes(4).toString('hex'); // database names of this system only: a shared server keeps others
  const credentials: Credentials = {
    integrationToken: randomBytes(24).toString('base64url'),
    complianceToken: randomBytes(24).toString('base64url'),
    carrierWebhookSecret: randomBytes(24).toString('base64url'),
  };
  const carrierApiSecret = randomBytes(24).toString('base64url');
  const extras = extraReplicas(options.replicas);
  const instances: readonly Instance[] = [...processes, ...extras];
  const picked = await freePorts(instances.length);
  const ports = Object.fromEntries(instances.map((instance, i) => [instance, picked[i]])) as Record<Instance, number>;
  const urlOf = (instance: Instance) => `http://127.0.0.1:${ports[instance]}`;
  const endpoints = Object.fromEntries(services.map((s) => [s, urlOf(s)])) as unknown as Endpoints;
  const replicaEndpoints = Object.fromEntries(
    services.map((s) => [s, [urlOf(s), ...extras.filter((i) => serviceOf(i) === s).map(urlOf)]]),
  ) as Record<Service, string[]>;
  const databases = Object.fromEntries(await Promise.all(services.map(async (s) => [s, await postgres.createDatabase(`homeline_${s}_${run}`)]))) as Record<Service, string>;
  const auditSigningKey = formatSignerKey('homeline.test/audit', randomBytes(32));
  const common = {
    KAFKA_BROKERS: kafka.brokers.join(','),
    INTEGRATION_TOKEN: credentials.integrationToken,
    LOG_LEVEL: 'info',
  };
  const carrierUrl = `http://127.0.0.1:${ports['carrier-sim']}`;
  const carrierEnv = (): Record<string, string> => ({
    CARRIER_SIM_PORT: String(ports['carrier-sim']),
    CARRIER_API_SECRET: carrierApiSecret,
    CARRIER_WEBHOOK_SECRET: credentials.carrierWebhookSecret,
    CARRIER_SIM_WEBHOOK_BASE_URL: endpoints.routing,
    CARRIER_SIM_BEHAVIOURS: JSON.stringify(options.carrierBehaviours ?? {}),
    CARRIER_SIM_STEP_MS: String(options.carrierStepMs ?? 20),
    LOG_LEVEL: 'info',
    ...(options.env?.['carrier-sim'] ?? {}),
  });
  const serviceEnv = (service: Process): Record<string, string> => {
    if (service === 'carrier-sim') return carrierEnv();
    return {
      ...common,
      HTTP_PORT: String(ports[service]),
      DATABASE_URL: databases[service],
      ...(service === 'audit'
        ? { COMPLIANCE_TOKEN: credentials.complianceToken, AUDIT_SIGNING_KEY: auditSigningKey, AUDIT_KEK: randomBytesFor(`${dir}/audit`) }
        : {}),
      ...(service === 'identity' ? { VOICEPRINT_KEY: randomBytesFor(dir) } : {}),
      ...(service === 'routing'
        ? { CARRIER_WEBHOOK_SECRET: credentials.carrierWebhookSecret, CARRIER_API_URL: carrierUrl, CARRIER_API_SECRET: carrierApiSecret }
        : {}),
      ...(service === 'calls' ? { CALL_VERIFICATION_TIMEOUT_MS: '3000' } : {}),
      ...(secure ? saslEnv(kafkaUserOf(service), kafka.passwords) : {}),
      ...(options.env?.[service] ?? {}),
    };
  };
  const envOf = (instance: Instance): Record<string, string> =>
    instance === serviceOf(instance)
      ? serviceEnv(instance as Process)
      : { ...serviceEnv(serviceOf(instance)), HTTP_PORT: String(ports[instance]), MIGRATIONS: 'skip' };
  const entryOf = (service: Process) =>
    service === 'carrier-sim' ? join(root, 'tools', 'carrier-sim', 'src', 'main.ts') : join(root, 'services', service, 'src', 'main.ts');

  const running = new Map<Instance, ChildProcess>();
  const spawnLogged = (entry: string, env: Record<string, string>, logFile: string) => {
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, [...(options.nodeOptions ?? []), '-r', join(root, 'tools', 'register.js'), entry], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    return child;
  };
  const start = async (name: Instance) => {
    const instance = known(instances, name);
    const logFile = join(dir, `${instance}.log`);
    const child = spawnLogged(entryOf(serviceOf(instance)), envOf(instance), logFile);
    running.set(instance, child);
    await waitUntilReady(`${urlOf(instance)}/health/ready`, child, logFile);
  };
  const startInOneProcess = async () => {
    const logFile = join(dir, 'services.log');
    const envs = Object.fromEntries(services.map((s) => [s, serviceEnv(s)]));
    const child = spawnLogged(join(root, 'tools', 'bench', 'one-process.ts'), { [oneProcessEnv]: JSON.stringify(envs) }, logFile);
    for (const s of services) running.set(s, child);
    for (const s of services) await waitUntilReady(`${urlOf(s)}/health/ready`, child, logFile);
  };
  const stopService = async (name: Instance) => {
    const instance = known(instances, name);
    const child = running.get(instance);
    running.delete(instance);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    if (options.oneProcess) await Promise.all([startInOneProcess(), start('carrier-sim')]);
    else await Promise.all(processes.map(start));
    await Promise.all(extras.map(start)); // once the first replicas have applied the migrations
  } catch (error) {
    await Promise.all(instances.map(stopService));
    await kafka.stop();
    await postgres.stop();
    throw error;
  }

  return {
    client: new HomelineClient(endpoints, credentials),
    endpoints,
    credentials,
    carrier: new CarrierSimClient(carrierUrl),
    logDir: dir,
    databaseUrls: databases,
    replicaEndpoints,
    pidOf: (name) => running.get(known(instances, name))?.pid,
    auditVerifierKey: parseSignerKey(auditSigningKey).verifier.text,
    auditDatabaseUrl: databases.audit,
    kafkaBrokers: kafka.brokers.join(','),
    kafka,
    postCarrierStatus: (callback, secret = credentials.carrierWebhookSecret) => {
      const body = JSON.stringify(callback);
      const t = Math.floor(Date.now() / 1000);
      const signature = `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
      return fetch(`${endpoints.routing}/v1/carrier/status`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-carrier-signature': signature }, body });
    },
    stopService,
    killService: async (name) => {
      const instance = known(instances, name);
      const child = running.get(instance);
      running.delete(instance);
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    startService: start,
    stop: async () => {
      await Promise.all(instances.map(stopService));
      await kafka.stop();
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
