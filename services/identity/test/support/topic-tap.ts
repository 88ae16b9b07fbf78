import type { Consumer, Kafka } from 'kafkajs';

// The event store's producers use kafkajs' default partitioner; its v2 migration notice is noise here.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

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

/** Each event once, in first-arrival order: delivery is at least once, a relay may publish an event twice. */
export const distinctEvents = (messages: readonly Received[]): Received[] => [...new Map(messages.map((m) => [m.value.id, m])).values()];
