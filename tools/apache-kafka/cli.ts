// npm run broker:apache -- --port P --data-dir DIR [--kafka-version 4.1.1] [--partitions 3]
//   [--initial-rebalance-delay-ms 3000] [--no-auto-create-topics] [--heap 1g]
//   [--sasl-port Q --scram-users users.json [--super-user admin]]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_KAFKA_VERSION, ensureKafkaJars, MissingToolError } from './fetch';
import { startApacheKafka, type StartOptions } from './server';

const USAGE = `usage: npm run broker:apache -- --port P --data-dir DIR [--kafka-version ${DEFAULT_KAFKA_VERSION}] [--partitions 3]
  [--initial-rebalance-delay-ms 3000] [--no-auto-create-topics] [--heap 1g]
  [--sasl-port Q --scram-users users.json [--super-user NAME ...]]
Runs a single-node Apache Kafka (KRaft, broker and controller in one JVM) on 127.0.0.1:P until
SIGTERM or SIGINT. Its jars are fetched with Maven into .cache/apache-kafka on first use.
users.json: {"name": "password", ...}, SCRAM-SHA-512 users created when DIR is first formatted.`;

const root = resolve(__dirname, '..', '..');
const say = (line: string) => process.stderr.write(`[broker:apache] ${line}\n`);

function parseOptions(argv: string[]): { version: string; start: Omit<StartOptions, 'libs'> } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'kafka-version': { type: 'string', default: process.env.APACHE_KAFKA_VERSION ?? DEFAULT_KAFKA_VERSION },
      partitions: { type: 'string', default: '3' },
      'initial-rebalance-delay-ms': { type: 'string', default: '3000' },
      'no-auto-create-topics': { type: 'boolean' },
      heap: { type: 'string' },
      'sasl-port': { type: 'string' },
      'scram-users': { type: 'string' },
      'super-user': { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const int = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${v ?? ''}'`);
    return n;
  };
  if (!values['data-dir']) throw new Error('--data-dir is required');
  if (Boolean(values['sasl-port']) !== Boolean(values['scram-users'])) throw new Error('--sasl-port and --scram-users go together');
  return {
    version: values['kafka-version']!,
    start: {
      port: int('port', values.port),
      dataDir: resolve(values['data-dir']),
      partitions: int('partitions', values.partitions),
      initialRebalanceDelayMs: int('initial-rebalance-delay-ms', values['initial-rebalance-delay-ms']),
      autoCreateTopics: !values['no-auto-create-topics'],
      heap: values.heap,
      sasl: values['sasl-port'] ? { port: int('sasl-port', values['sasl-port']), superUsers: values['super-user'] ?? [] } : undefined,
      scramUsers: values['scram-users'] ? JSON.parse(readFileSync(values['scram-users'], 'utf8')) : undefined,
    },
  };
}

async function main(): Promise<void> {
  // Read before Kafka starts (jars fetched on first use, then the broker's start): an npm that ends
  // meanwhile is still seen gone below.
  const parent = process.ppid;
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const libs = ensureKafkaJars(process.env.APACHE_KAFKA_CACHE ?? resolve(root, '.cache', 'apache-kafka'), parsed.version, say);
  const kafka = await startApacheKafka({ ...parsed.start, libs, onWarning: (line) => say(line) });
  const sasl = parsed.start.sasl ? `, SASL_PLAINTEXT (SCRAM-SHA-512) on 127.0.0.1:${parsed.start.sasl.port}` : '';
  process.stdout.write(`apache-kafka ${parsed.version} listening on 127.0.0.1:${parsed.start.port}${sasl} (pid ${kafka.pid})\n`);

  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    say(`${why}: stopping Kafka (controlled shutdown)`);
    void kafka.stop().then(() => {
      say('stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // `npm run broker:apache &` and a SIGTERM to that npm (as .ci/run stops it) end npm and its shell
  // and pass nothing on: this process, handed to init, would keep Kafka running for good. So run by
  // npm, the end of the shell npm started it from stops Kafka too (run by node itself, a parent
  // that exits, such as a script that started it in the background, does not).
  if (process.env.npm_lifecycle_event) {
    setInterval(() => process.ppid !== parent && stop(`npm, which started it, is gone`), 1_000).unref();
  }
  void kafka.exited.then((code) => {
    if (stopping) return;
    say(`Kafka exited on its own (${code}); see ${parsed.start.dataDir}/kafka.log`);
    process.exit(1);
  });
}

main().catch((err) => {
  say(err instanceof MissingToolError ? err.message : `failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
