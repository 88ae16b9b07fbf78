import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import { homelineTracer, isExporting } from './tracing';

/** Kafka headers as kafkajs hands them over (values are Buffers on the consuming side). */
export type MessageHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: MessageHeaders;
  readonly consumerGroup: string;
}

/**
 * A header's text, or undefined when it is absent. kafkajs hands over a header written with a null
 * value (length -1 on the wire; any producer may send one) as null: absent too, never a crash.
 */
export const headerText = (headers: MessageHeaders | undefined, name: string): string | undefined => {
  const value: unknown = headers?.[name];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === null ? undefined : String(first);
};

const headerGetter: TextMapGetter<MessageHeaders> = {
  keys: (headers) => Object.keys(headers),
  get: headerText,
};

/** The trace context a message carries in its `traceparent` header (the root context if none). */
export const contextOf = (headers: MessageHeaders): Context => propagation.extract(ROOT_CONTEXT, headers, headerGetter);

/**
 * Runs a consumer's handling of a batch of messages as part of the trace its first message carries,
 * so whatever the handler appends inherits it (the event store captures `traceparent` at append
 * time) and one trace follows a call across services. Exported: a CONSUMER span per message, each
 * the child of its own producer's, so every call's trace shows its events consumed even when one
 * batch holds several calls' events. Not exported: no span at all, only the first message's
 * context made active (the cheap path).
 */
export function consumeBatchInTrace<T>(messages: readonly [ConsumedMessage, ...ConsumedMessage[]], handle: () => Promise<T>): Promise<T> {
  const first = contextOf(messages[0].headers);
  if (!isExporting()) return context.with(first, handle);
  const spans = messages.map((message) =>
    homelineTracer().startSpan(
      `process ${message.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': message.topic,
          'messaging.destination.partition.id': String(message.partition),
          'messaging.consumer.group.name': message.consumerGroup,
          'messaging.kafka.offset': Number(message.offset),
        },
      },
      contextOf(message.headers),
    ),
  );
  return context.with(trace.setSpan(first, spans[0]), () => endWhenSettled(spans, handle()));
}

export interface TopicMessages {
  readonly topic: string;
  readonly messages: { readonly key?: Buffer | string | null; headers?: MessageHeaders }[];
}

/**
 * Publishes an outbox batch, each message under the trace of the request or message that appended
 * its event (its stored `traceparent`). Exported: one PRODUCER span per message, child of that
 * context, whose id replaces the header, so consumers become its children; its start shows how
 * long the event waited in the outbox. Not exported: the stored header goes out unchanged.
 */
export async function publishInTrace<T extends TopicMessages, R>(batch: T[], send: (batch: T[]) => Promise<R>): Promise<R> {
  if (!isExporting()) return send(batch);
  const spans: Span[] = [];
  for (const { topic, messages } of batch) {
    for (const message of messages) {
      const parent = contextOf(message.headers ?? {});
      if (!trace.getSpanContext(parent)) continue; // appended outside any trace: nothing to continue
      const span = homelineTracer().startSpan(
        `publish ${topic}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'send',
            'messaging.destination.name': topic,
            ...(message.key ? { 'messaging.kafka.message.key': message.key.toString() } : {}),
          },
        },
        parent,
      );
      message.headers = { ...message.headers };
      propagation.inject(trace.setSpan(parent, span), message.headers);
      spans.push(span);
    }
  }
  return endWhenSettled(spans, send(batch));
}

/** Runs work in the trace a stored `traceparent` names (or outside any trace when there is none). */
export function withTraceparent<T>(traceparent: string | null | undefined, work: () => T): T {
  return context.with(traceparent ? contextOf({ traceparent }) : ROOT_CONTEXT, work);
}

async function endWhenSettled<R>(spans: readonly Span[], work: Promise<R>): Promise<R> {
  try {
    return await work;
  } catch (error) {
    for (const span of spans) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    }
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}
