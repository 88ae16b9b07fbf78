import { startBroker } from '@homeline/kafka-embedded';
import { Kafka, logLevel } from 'kafkajs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Kafka cluster for tests: the embedded broker, or the brokers in KAFKA_BROKERS when set. */
export interface TestKafka {
  readonly brokers: readonly string[];
  /** A kafkajs client on these brokers, quiet unless something goes wrong. */
  client(clientId?: string): Kafka;
  stop(): Promise<void>;
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

export const startTestKafka = async (options: { readonly brokers?: string } = {}): Promise<TestKafka> => {
  const external = options.brokers ?? process.env.KAFKA_BROKERS;
  const client = (brokers: readonly string[]) => (clientId = 'homeline-test') =>
    new Kafka({ clientId, brokers: [...brokers], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50 } });
  if (external) {
    const brokers = external.split(',').map((b) => b.trim());
    return { brokers, client: client(brokers), stop: async () => undefined };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'homeline-kafka-'));
  const broker = await startBroker({ dataDir, port: 0, initialRebalanceDelayMs: 0, logger: quiet });
  return {
    brokers: [broker.address],
    client: client([broker.address]),
    stop: async () => {
      await broker.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};
