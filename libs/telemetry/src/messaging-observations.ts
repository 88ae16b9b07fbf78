/**
 * What the messaging code reports for metrics, without depending on a metrics library: the
 * event store's consumers say which group reads which topics, and every message they
 * dead-letter; the service chassis turns that into Prometheus metrics. Observations are kept per
 * Kafka client (each service app has its own), so several apps in one process (tests) each see
 * only their own.
 */
export interface ConsumerRegistration {
  readonly groupId: string;
  /** The inbox name, which is the group id unless a consumer names it otherwise. */
  readonly consumer: string;
  readonly topics: readonly string[];
}

export interface DeadLettered {
  readonly consumer: string;
  readonly topic: string;
  /** The reason as it travels in the `dlq-reason` header. */
  readonly reason: string;
  /** Its stable code, as in the `dlq-reason-code` header: a bounded metric label. */
  readonly code: string;
}

type DeadLetterListener = (letter: DeadLettered) => void;

const consumers = new WeakMap<object, Map<string, ConsumerRegistration>>();
const listeners = new WeakMap<object, Set<DeadLetterListener>>();

export function registerConsumer(kafka: object, registration: ConsumerRegistration): void {
  const known = consumers.get(kafka) ?? new Map<string, ConsumerRegistration>();
  known.set(registration.groupId, registration);
  consumers.set(kafka, known);
}

export const consumersOf = (kafka: object): readonly ConsumerRegistration[] => [...(consumers.get(kafka)?.values() ?? [])];

export function reportDeadLetter(kafka: object, letter: DeadLettered): void {
  for (const listener of listeners.get(kafka) ?? []) listener(letter);
}

/** Subscribes to the dead letters of the consumers on this Kafka client; returns the unsubscribe. */
export function onDeadLetter(kafka: object, listener: DeadLetterListener): () => void {
  const set = listeners.get(kafka) ?? new Set<DeadLetterListener>();
  set.add(listener);
  listeners.set(kafka, set);
  return () => set.delete(listener);
}
