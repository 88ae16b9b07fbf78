import { Headers, isKnownEventType, latestEventType, safeParseEvent, type ParseResult } from '@homeline/contracts';
import { headerText } from '@homeline/telemetry';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

/** What a consumer makes of one Kafka message, before any database work. */
export type Incoming<T> =
  | { readonly kind: 'event'; readonly event: T }
  /** A valid type this consumer does not act on: no parsing, no inbox row, no round trip. */
  | { readonly kind: 'skip' }
  | { readonly kind: 'dead'; readonly code: DeadLetterCode; readonly reason: string };

/** Why a message was dead-lettered: the `dlq-reason-code` header, and a bounded metric label. */
export const deadLetterCodes = [
  'empty_message',
  'not_json',
  'bad_envelope',
  'header_mismatch',
  'unknown_event_type',
  'invalid_event',
  'wrong_topic',
  'unstorable_text',
  'poison',
] as const;
export type DeadLetterCode = (typeof deadLetterCodes)[number];

export interface Classifier<T> {
  /** Types this consumer handles (after upcasting); other known types are skipped. 'all': every type (the audit). */
  readonly handles: ReadonlySet<string> | 'all';
  /**
   * Of the handled types, the valid events this consumer acts on, judged from their data (an
   * outbound call's CallConnected is nothing to routing); the others are skipped like unhandled
   * types: no transaction, no inbox row. Default: every one.
   */
  readonly acts?: (event: T) => boolean;
  /** Validates the whole message (envelope, upcast, data); default: the contracts' parser. */
  readonly parse?: (raw: unknown) => ParseResult<T>;
  /** Types that may travel on the topics at all; default: the contracts' (current and upcastable). */
  readonly isKnownType?: (type: string) => boolean;
  /**
   * Whether an event acted on may hold text PostgreSQL cannot store (a NUL, a lone UTF-16
   * surrogate). Default false: it would fail every retry of its batch and stall the partition, so
   * it is dead-lettered. The audit, which records such events where it can, says true.
   */
  readonly storesAnyText?: boolean;
}

// JSON writes NUL and lone surrogates as escapes; a message without one needs no walk of its event.
const suspectEscape = /\\u(?:0000|d[89a-f])/i;
const unstorable = /[\0\p{Cs}]/u;
const hasUnstorableText = (value: unknown): boolean =>
  typeof value === 'string'
    ? unstorable.test(value)
    : typeof value === 'object' &&
      value !== null &&
      Object.entries(value).some(([k, v]) => unstorable.test(k) || hasUnstorableText(v));

/**
 * Sorts a message into act / skip / dead-letter. Parsing JSON is cheap next to a database round
 * trip, so every message is parsed enough to check its envelope's type against its header and
 * the known types; only the types the consumer acts on are validated in full (their producers'
 * own consumers validate the rest).
 */
export const classifyMessage = <T>(message: Pick<KafkaMessage, 'value' | 'headers'>, classifier: Classifier<T>, topic?: string): Incoming<T> => {
  if (!message.value || message.value.length === 0) return { kind: 'dead', code: 'empty_message', reason: 'empty message value' };
  let json: unknown;
  const text = message.value.toString('utf8');
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: 'dead', code: 'not_json', reason: `value is not JSON: ${(error as Error).message}` };
  }
  const type = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as { type?: unknown }).type : undefined;
  if (typeof type !== 'string') return { kind: 'dead', code: 'bad_envelope', reason: 'envelope: type is missing or not a string' };
  const header = headerText(message.headers, Headers.eventType);
  if (header !== undefined && header !== type) {
    return { kind: 'dead', code: 'header_mismatch', reason: `event-type header ${header} disagrees with the envelope's type ${type}` };
  }
  if (!(classifier.isKnownType ?? isKnownEventType)(type)) return { kind: 'dead', code: 'unknown_event_type', reason: `unknown event type ${type}` };
  if (classifier.handles !== 'all' && !classifier.handles.has(latestEventType(type))) return { kind: 'skip' };
  const parsed = (classifier.parse ?? (safeParseEvent as unknown as (raw: unknown) => ParseResult<T>))(json);
  if (!parsed.ok) return { kind: 'dead', code: 'invalid_event', reason: parsed.reason };
  const owner = topic === undefined ? undefined : topicOwner(topic);
  const source = (parsed.event as { source?: unknown }).source;
  if (owner !== undefined && source !== owner) {
    return { kind: 'dead', code: 'wrong_topic', reason: `${type} from ${String(source)} on ${topic}, which only ${owner} publishes to` };
  }
  if (classifier.acts && !classifier.acts(parsed.event)) return { kind: 'skip' };
  if (!classifier.storesAnyText && suspectEscape.test(text) && hasUnstorableText(parsed.event)) {
    return { kind: 'dead', code: 'unstorable_text', reason: 'text PostgreSQL cannot store (NUL or a lone surrogate)' };
  }
  return { kind: 'event', event: parsed.event };
};

/**
 * The service whose topic this is (`homeline.<service>.v<n>`). Kafka's ACLs let only that service
 * write it (deploy/k8s KafkaUsers), so an event claiming another source there is forged or
 * misrouted: a CallRouting "from calls" on identity's topic places no leg.
 */
const topicOwner = (topic: string): string | undefined => /^homeline\.([a-z]+)\.v\d+$/.exec(topic)?.[1];

/** The same key, value and headers, plus why it was dead-lettered, by whom, and where it came from. */
export const toDeadLetter = (
  message: KafkaMessage,
  source: { readonly topic: string; readonly partition: number; readonly consumerGroup: string },
  dead: { readonly code: DeadLetterCode; readonly reason: string },
): Message => ({
  key: message.key,
  value: message.value,
  headers: {
    ...(message.headers as IHeaders | undefined),
    [Headers.dlqReason]: dead.reason.slice(0, 2000),
    [Headers.dlqReasonCode]: dead.code,
    [Headers.dlqConsumerGroup]: source.consumerGroup,
    [Headers.dlqSourceTopic]: source.topic,
    [Headers.dlqSourcePartition]: String(source.partition),
    [Headers.dlqSourceOffset]: message.offset,
  },
});
