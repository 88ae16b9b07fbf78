import { Headers, Topics, type Envelope } from '@homeline/contracts';
import type { Message } from 'kafkajs';
import type { RecordedEvent } from '../store/types';

/** The envelope alone, as it travels on Kafka. */
export const toEnvelope = (event: RecordedEvent): Envelope => {
  const { position: _position, traceparent: _traceparent, ...envelope } = event;
  return envelope;
};

/** Key = stream id by default (per-stream ordering), value = envelope JSON, headers = type and trace. */
export const toKafkaMessage = (event: RecordedEvent, key: string = event.streamId): Message => ({
  key,
  value: JSON.stringify(toEnvelope(event)),
  headers: {
    [Headers.eventType]: event.type,
    ...(event.traceparent ? { [Headers.traceparent]: event.traceparent } : {}),
  },
});

/** Default routing: each service publishes to its own topic. */
export const topicBySource = (event: RecordedEvent): string => Topics[event.source];

/** Groups a batch by topic, keeping the store's order inside each topic. */
export const groupByTopic = (
  events: readonly RecordedEvent[],
  topicFor: (event: RecordedEvent) => string,
  keyFor: (event: RecordedEvent) => string = (event) => event.streamId,
): { topic: string; messages: Message[] }[] => {
  const byTopic = new Map<string, Message[]>();
  for (const event of events) {
    const topic = topicFor(event);
    const messages = byTopic.get(topic) ?? [];
    messages.push(toKafkaMessage(event, keyFor(event)));
    byTopic.set(topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
};
