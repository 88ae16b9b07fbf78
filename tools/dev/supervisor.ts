import { join, resolve } from 'node:path';
import type { KafkaPasswords } from '@homeline/testing';
import {
  loadOrCreateCredentials, loadOrCreateKafkaPasswords, loadOrCreateServerSecrets, ServerSecrets, writeAuditVerifierKey,
} from './credentials';
import { startEmbeddedBroker } from './kafka';
import { startEmbeddedPostgres } from './postgres';
import { prefixedPrinter } from './log-lines';
import { waitForPorts, type NamedPort } from './ports';
import { spawnService, ServiceProcess, ServiceSpec, waitUntilReady } from './service-process';
import { carrierSimEnv, carrierSimPort, databaseUrlOverride, httpPort, serviceEnv, SERVICES, stackPaths } from './stack';
import { lockStack, type StackLock } from './stack-lock';

// Run by tools/start.ts in its own process group; see there.
const env = process.env;
const root = resolve(__dirname, '..', '..');
const paths = stackPaths(root, env.HOMELINE_DATA_DIR ? resolve(env.HOMELINE_DATA_DIR) : undefined);
const postgresPort = Number(env.EMBEDDED_POSTGRES_PORT ?? 54320);
const kafkaPort = Number(env.EMBEDDED_KAFKA_PORT ?? 9092);
const SERVICE_STOP_GRACE_MS = 15_000;
const READY_TIMEOUT_MS = 120_000;
// What an earlier, killed run may still hold while it goes down (its services drain for up to 10 s).
const PORT_WAIT_MS = 20_000;

const say = (line: string) => process.stdout.write(`[start]    ${line}\n`);
const stopSteps: { name: string; stop: () => Promise<void> }[] = [];
const services: ServiceProcess[] = [];
let stopping: Promise<void> | undefined;
let lock: StackLock | undefined;

async function start(): Promise<void> {
  lock = await lockStack(paths.data, say);
  const credentials = await loadOrCreateCredentials(paths.credentials);
  const secrets = await loadOrCreateServerSecrets(paths.serverSecrets);
  await writeAuditVerifierKey(paths.auditVerifierKey, secrets);
  await waitForPorts(portsToListenOn(), PORT_WAIT_MS, say);
  const databaseUrls = await databases(secrets);
  // KAFKA_BROKERS: your Kafka, with whatever KAFKA_SASL_* you set; otherwise the embedded broker with a user per service.
  const kafkaPasswords = env.KAFKA_BROKERS ? undefined : await loadOrCreateKafkaPasswords(paths.kafkaUsers);
  const kafkaBrokers = env.KAFKA_BROKERS ?? (await broker(kafkaPasswords!));
  const simPort = carrierSimPort(env);
  const ported = SERVICES.map((s) => ({ ...s, port: httpPort(env, s) }));
  ported.forEach((service, index) => {
    const wiring = { databaseUrl: databaseUrls[service.name], kafkaBrokers, kafkaPasswords, credentials, secrets, carrierSimPort: simPort };
    supervise({ ...service, env: serviceEnv(env, service, wiring) }, index);
  });
  // The carrier: its own process, as a real carrier is its own system (docs/carrier-api.md).
  const routingPort = ported.find((s) => s.name === 'routing')!.port;
  const simEnv = carrierSimEnv(env, { credentials, secrets, carrierSimPort: simPort, routingPort });
  supervise({ name: 'carrier-sim', port: simPort, env: simEnv, entry: join('tools', 'carrier-sim', 'src', 'main.ts') }, SERVICES.length + 1);
  await Promise.all(services.map((service) => waitUntilReady(service, READY_TIMEOUT_MS)));
  lock.setState('running');
  banner(kafkaBrokers);
}

/** The ports of the services, the carrier simulator and the broker, with the variable that moves each (PostgreSQL's: see postgres.ts). */
function portsToListenOn(): NamedPort[] {
  const ports: NamedPort[] = SERVICES.map((s) => ({ port: httpPort(env, s), what: `${s.name}'s HTTP port`, variable: `HTTP_PORT_${s.name.toUpperCase()}` }));
  ports.push({ port: carrierSimPort(env), what: 'the carrier simulator', variable: 'CARRIER_SIM_PORT' });
  if (!env.KAFKA_BROKERS) ports.push({ port: kafkaPort, what: 'the Kafka broker', variable: 'EMBEDDED_KAFKA_PORT' });
  return ports;
}

function supervise(spec: ServiceSpec, index: number): void {
  const print = prefixedPrinter(spec.name, index, { raw: env.LOG_FORMAT === 'json', width: 11 });
  const child = spawnService(root, spec, print);
  services.push(child);
  // Nothing restarts silently: a process that dies takes the stack down, loudly.
  void child.exited.then(({ code, signal }) => {
    if (!stopping) void stop(1, `${spec.name} exited (${signal ?? `code ${code}`}); stopping everything`);
  });
}

async function databases(secrets: ServerSecrets): Promise<Record<string, string>> {
  const embedded = SERVICES.filter((s) => !databaseUrlOverride(env, s.name)).map((s) => s.name);
  let url = (database: string) => `unused:${database}`;
  if (embedded.length > 0) {
    say(`starting PostgreSQL on 127.0.0.1:${postgresPort} (data in ${paths.postgres})`);
    const server = await startEmbeddedPostgres({
      dataDir: paths.postgres, port: postgresPort, password: secrets.postgresPassword, databases: embedded, say,
      onLog: (line) => env.LOG_LEVEL === 'debug' && process.stdout.write(`[postgres] ${line}\n`),
    });
    stopSteps.unshift({ name: 'PostgreSQL', stop: server.stop });
    url = server.url;
  }
  return Object.fromEntries(SERVICES.map((s) => [s.name, databaseUrlOverride(env, s.name) ?? url(s.name)]));
}

async function broker(passwords: KafkaPasswords): Promise<string> {
  say(`starting the embedded Kafka broker on 127.0.0.1:${kafkaPort} (data in ${paths.kafka}; SASL/SCRAM-SHA-512 users in ${paths.kafkaUsers})`);
  const print = prefixedPrinter('kafka', SERVICES.length, { raw: false, width: 11 });
  const running = await startEmbeddedBroker(paths.kafka, kafkaPort, passwords, print);
  stopSteps.unshift({ name: 'Kafka broker', stop: running.stop });
  return running.address;
}

/** Services first (they finish in-flight work and commit offsets), then the broker, then PostgreSQL. */
function stop(code: number, reason: string): Promise<void> {
  stopping ??= (async () => {
    lock?.setState('stopping');
    say(reason);
    await Promise.all(services.map((service) => service.stop(SERVICE_STOP_GRACE_MS)));
    for (const step of stopSteps) {
      say(`stopping ${step.name}`);
      await step.stop().catch((error: unknown) => say(`${step.name} did not stop cleanly: ${String(error)}`));
    }
    say('stopped');
    lock?.release();
    process.exit(code);
  })();
  return stopping;
}

function banner(kafkaBrokers: string): void {
  const lines = [
    'Homeline is running.',
    ...services
      .filter((s) => s.name !== 'carrier-sim')
      .map((s) => `  ${s.name.padEnd(11)} http://localhost:${s.port}   (API docs: http://localhost:${s.port}/docs)`),
    `  carrier-sim http://localhost:${carrierSimPort(env)}   (the simulated carrier: POST /sim/inbound rings the household; docs/carrier-api.md)`,
    `  Kafka       ${kafkaBrokers}${env.KAFKA_BROKERS ? '' : `   (SASL/SCRAM-SHA-512, a user per service: ${paths.kafkaUsers})`}`,
    `  Credentials (bearer tokens, carrier webhook secret): ${paths.credentials}`,
    `  Audit verifier key (pin it: npm run audit:verify -- --key ...): ${paths.auditVerifierKey}`,
    'Ctrl-C stops everything.',
  ];
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0, `${signal}: stopping the services, then the broker, then PostgreSQL`));
// The launcher is gone (killed without a chance to forward a signal): stop rather than linger.
process.on('disconnect', () => void stop(1, 'launcher went away: stopping'));
start().catch((error: unknown) => void stop(1, `could not start: ${describe(error)}`));

// Never "could not start: undefined": a failure without a message is named as what it is.
function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return error === undefined || error === null ? `a failure that carried no error (${String(error)})` : String(error);
}
