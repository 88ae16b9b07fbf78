import { resolve } from 'node:path';
import { loadOrCreateCredentials, loadOrCreateServerSecrets, ServerSecrets } from './credentials';
import { startEmbeddedBroker } from './kafka';
import { startEmbeddedPostgres } from './postgres';
import { prefixedPrinter } from './log-lines';
import { spawnService, ServiceProcess, waitUntilReady } from './service-process';
import { databaseUrlOverride, httpPort, serviceEnv, SERVICES, stackPaths } from './stack';

// Run by tools/start.ts in its own process group; see there.
const env = process.env;
const root = resolve(__dirname, '..', '..');
const paths = stackPaths(root, env.HOMELINE_DATA_DIR ? resolve(env.HOMELINE_DATA_DIR) : undefined);
const postgresPort = Number(env.EMBEDDED_POSTGRES_PORT ?? 54320);
const kafkaPort = Number(env.EMBEDDED_KAFKA_PORT ?? 9092);
const SERVICE_STOP_GRACE_MS = 15_000;
const READY_TIMEOUT_MS = 120_000;

const say = (line: string) => process.stdout.write(`[start]    ${line}\n`);
const stopSteps: { name: string; stop: () => Promise<void> }[] = [];
const services: ServiceProcess[] = [];
let stopping: Promise<void> | undefined;

async function start(): Promise<void> {
  const credentials = await loadOrCreateCredentials(paths.credentials);
  const secrets = await loadOrCreateServerSecrets(paths.serverSecrets);
  const databaseUrls = await databases(secrets);
  const kafkaBrokers = env.KAFKA_BROKERS ?? (await broker());
  SERVICES.map((s) => ({ ...s, port: httpPort(env, s) })).forEach((service, index) => {
    const wiring = { databaseUrl: databaseUrls[service.name], kafkaBrokers, credentials, secrets };
    const print = prefixedPrinter(service.name, index, { raw: env.LOG_FORMAT === 'json', width: 8 });
    const child = spawnService(root, { ...service, env: serviceEnv(env, service, wiring) }, print);
    services.push(child);
    // Nothing restarts silently: a service that dies takes the stack down, loudly.
    void child.exited.then(({ code, signal }) => {
      if (!stopping) void stop(1, `${service.name} exited (${signal ?? `code ${code}`}); stopping everything`);
    });
  });
  await Promise.all(services.map((service) => waitUntilReady(service, READY_TIMEOUT_MS)));
  banner(kafkaBrokers);
}

async function databases(secrets: ServerSecrets): Promise<Record<string, string>> {
  const embedded = SERVICES.filter((s) => !databaseUrlOverride(env, s.name)).map((s) => s.name);
  let url = (database: string) => `unused:${database}`;
  if (embedded.length > 0) {
    say(`starting PostgreSQL on 127.0.0.1:${postgresPort} (data in ${paths.postgres})`);
    const server = await startEmbeddedPostgres({
      dataDir: paths.postgres, port: postgresPort, password: secrets.postgresPassword, databases: embedded, persistent: true,
      onLog: (line) => env.LOG_LEVEL === 'debug' && process.stdout.write(`[postgres] ${line}\n`),
    });
    stopSteps.unshift({ name: 'PostgreSQL', stop: server.stop });
    url = server.url;
  }
  return Object.fromEntries(SERVICES.map((s) => [s.name, databaseUrlOverride(env, s.name) ?? url(s.name)]));
}

async function broker(): Promise<string> {
  say(`starting the embedded Kafka broker on 127.0.0.1:${kafkaPort} (data in ${paths.kafka})`);
  const print = prefixedPrinter('kafka', SERVICES.length, { raw: false, width: 8 });
  const running = await startEmbeddedBroker(paths.kafka, kafkaPort, print);
  stopSteps.unshift({ name: 'Kafka broker', stop: running.stop });
  return running.address;
}

/** Services first (they finish in-flight work and commit offsets), then the broker, then PostgreSQL. */
function stop(code: number, reason: string): Promise<void> {
  stopping ??= (async () => {
    say(reason);
    await Promise.all(services.map((service) => service.stop(SERVICE_STOP_GRACE_MS)));
    for (const step of stopSteps) {
      say(`stopping ${step.name}`);
      await step.stop().catch((error: unknown) => say(`${step.name} did not stop cleanly: ${String(error)}`));
    }
    say('stopped');
    process.exit(code);
  })();
  return stopping;
}

function banner(kafkaBrokers: string): void {
  const lines = [
    'Homeline is running.',
    ...services.map((s) => `  ${s.name.padEnd(9)} http://localhost:${s.port}   (API docs: http://localhost:${s.port}/docs)`),
    `  Kafka     ${kafkaBrokers}`,
    `  Credentials (bearer tokens, carrier webhook secret): ${paths.credentials}`,
    'Ctrl-C stops everything.',
  ];
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0, `${signal}: stopping the services, then the broker, then PostgreSQL`));
// The launcher is gone (killed without a chance to forward a signal): stop rather than linger.
process.on('disconnect', () => void stop(1, 'launcher went away: stopping'));
start().catch((error: unknown) => void stop(1, `could not start: ${error instanceof Error ? error.message : String(error)}`));
