import type { Kafka, KafkaMessage } from 'kafkajs';
import { createTopics } from './infrastructure';

/** Number of messages a topic holds (sum over partitions of high watermark minus low). */
export const messagesIn = async (kafka: Kafka, topic: string): Promise<number> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
};

/** Short fetch waits, so that stopping a consumer (which waits for its fetch) is quick in tests. */
export const fastStop = { maxWaitTimeInMs: 200 } as const;

/** Tests assert on the dead-letter topic itself, not on log lines. */
export const silent = { warn: () => undefined };

export interface Observed {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** Collects every message of some topics from the beginning, as a plain consumer sees them. */
export const observe = async (kafka: Kafka, topics: readonly string[]) => {
  const seen: Observed[] = [];
  await createTopics(kafka, topics); // on Kafka, subscribing to a topic that does not exist yet fails
  const consumer = kafka.consumer({ groupId: `observer-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: fastStop.maxWaitTimeInMs });
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ topic, partition, message }) => void seen.push({ topic, partition, message }) });
  return { seen, stop: () => consumer.disconnect() };
};

export const header = (message: KafkaMessage, name: string): string | undefined => message.headers?.[name]?.toString();

/** Messages of `topic` that consumer group `groupId` has committed as consumed. */
export const consumedBy = async (kafka: Kafka, groupId: string, topic: string): Promise<number> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
};
