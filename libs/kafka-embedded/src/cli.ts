// npm run broker -- --port 9092 --data-dir .data/kafka [--host 127.0.0.1] [--fsync always|interval|never]
//   [--partitions 3] [--node-id 1] [--initial-rebalance-delay-ms 3000] [--retention-bytes N] [--retention-ms N]
//   [--no-auto-create-topics]
import { parseArgs } from 'node:util';
import { startBroker } from './broker';
import { consoleLogger } from './logger';
import { BrokerOptions } from './options';
import { FsyncPolicy } from './storage/syncer';

const USAGE = `usage: npm run broker -- [--port 9092] [--data-dir .data/kafka] [--host 127.0.0.1]
  [--fsync always|interval|never] [--partitions 3] [--node-id 1] [--initial-rebalance-delay-ms 3000]
  [--retention-bytes N] [--retention-ms N] [--no-auto-create-topics]`;

function parseOptions(argv: string[]): BrokerOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '9092' },
      'data-dir': { type: 'string', default: '.data/kafka' },
      host: { type: 'string' },
      fsync: { type: 'string' },
      partitions: { type: 'string' },
      'node-id': { type: 'string' },
      'initial-rebalance-delay-ms': { type: 'string' },
      'retention-bytes': { type: 'string' },
      'retention-ms': { type: 'string' },
      'no-auto-create-topics': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const num = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got '${v}'`);
    return n;
  };
  return {
    dataDir: values['data-dir']!,
    port: num('port', values.port),
    host: values.host,
    fsync: values.fsync as FsyncPolicy | undefined,
    defaultPartitions: num('partitions', values.partitions),
    nodeId: num('node-id', values['node-id']),
    initialRebalanceDelayMs: num('initial-rebalance-delay-ms', values['initial-rebalance-delay-ms']),
    retentionBytes: num('retention-bytes', values['retention-bytes']),
    retentionMs: num('retention-ms', values['retention-ms']),
    autoCreateTopics: values['no-auto-create-topics'] ? false : undefined,
    logger: consoleLogger,
  };
}

async function main(): Promise<void> {
  let options: BrokerOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const broker = await startBroker(options);
  process.stdout.write(`kafka-embedded listening on ${broker.address}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    consoleLogger.info('stopping', { signal });
    broker.stop().then(
      () => process.exit(0),
      (err) => {
        consoleLogger.error('stop failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  consoleLogger.error('broker failed to start', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
