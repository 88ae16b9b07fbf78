// A relay process that dies (SIGKILL, no cleanup) right after Kafka acknowledged its first batch
// and before that batch's checkpoint commits: the worst moment for a crash.
// Usage: node -r tools/register.js crashing-relay.ts <database url> <brokers> <topic> <batch size>
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '../../src';

const [url, brokers, topic, batchSize] = process.argv.slice(2);

const main = async () => {
  const dataSource = new DataSource({ type: 'postgres', url, poolSize: 2 });
  await dataSource.initialize();
  const kafka = new Kafka({ clientId: 'crashing-relay', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const relay = new OutboxRelay({
    dataSource, kafka, topicFor: () => topic, batchSize: Number(batchSize),
    beforeCheckpoint: (events) => {
      process.stdout.write(`published ${events.length}\n`);
      process.kill(process.pid, 'SIGKILL');
    },
  });
  await relay.start();
};

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(2);
});
