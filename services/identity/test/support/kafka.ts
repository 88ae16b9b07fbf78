import { startBroker, type EmbeddedBroker } from '@homeline/kafka-embedded';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The event store's producers use kafkajs' default partitioner; its v2 migration notice is noise here.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface TestKafka {
  readonly broker: EmbeddedBroker;
  readonly kafka: Kafka;
  stop(): Promise<void>;
}

/** The project's embedded Kafka-protocol broker on a free port and a temp directory. */
export const startTestKafka = async (): Promise<TestKafka> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'identity-kafka-'));
  const broker = await startBroker({ dataDir, port: 0, initialRebalanceDelayMs: 0, fsync: 'never', logger: quiet });
  const kafka = new Kafka({ clientId: 'identity-test', brokers: [broker.address], logLevel: logLevel.NOTHING });
  return {
    broker,
    kafka,
    stop: async () => {
      await broker.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

export interface Received {
  readonly key: string | null;
  readonly headers: Record<string, string>;
  readonly value: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Everything published to a topic from its beginning, as parsed JSON, in arrival order. */
export interface TopicTap {
  readonly messages: Received[];
  stop(): Promise<void>;
}

export const tapTopic = async (kafka: Kafka, topic: string): Promise<TopicTap> => {
  const messages: Received[] = [];
  const consumer: Consumer = kafka.consumer({ groupId: `tap-${topic}-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
      messages.push({ key: message.key?.toString() ?? null, headers, value: JSON.parse(message.value?.toString() ?? 'null') });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
};
