import { z } from 'zod';
import { isoInstant } from './instant';

/** Whether an id has the form of the ids Homeline makes (UUIDs): anything else names nothing, and need not reach the database. */
export const isUuid = (id: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/** The envelope every integration event travels in (docs/architecture.md section 3). */
export const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  source: z.enum(['identity', 'calls', 'routing', 'audit']),
  streamId: z.string().min(1),
  streamVersion: z.number().int().nonnegative(),
  occurredAt: isoInstant(),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
  accountId: z.string().min(1).nullable(),
  data: z.record(z.string(), z.unknown()),
});

export type Envelope<TType extends string = string, TData = Record<string, unknown>> = Omit<
  z.infer<typeof envelopeSchema>,
  'type' | 'data'
> & { readonly type: TType; readonly data: TData };

export type ServiceName = z.infer<typeof envelopeSchema>['source'];

/** Kafka header names carried beside the envelope. */
export const Headers = {
  eventType: 'event-type',
  traceparent: 'traceparent',
  dlqReason: 'dlq-reason',
  dlqSourceTopic: 'dlq-source-topic',
  dlqSourcePartition: 'dlq-source-partition',
  dlqSourceOffset: 'dlq-source-offset',
  /** The consumer group that refused the message (a topic's DLQ may collect several groups' refusals). */
  dlqConsumerGroup: 'dlq-consumer-group',
  /** A stable code for why (`invalid_event`, `unknown_event_type`, `header_mismatch`, …); `dlq-reason` says it in words. */
  dlqReasonCode: 'dlq-reason-code',
} as const;

/** Default topic per publishing service; names are configurable at the edges. */
export const Topics = {
  identity: 'homeline.identity.v1',
  calls: 'homeline.calls.v1',
  routing: 'homeline.routing.v1',
  audit: 'homeline.audit.v1',
} as const;

export const dlqTopic = (topic: string): string => `${topic}.dlq`;

/**
 * Of events about one thing each (`keyOf` names it), the one that occurred last; of two at the
 * same time, the later in the list. For what two streams' events decide between (a device moved
 * from one household's stream to another's): Kafka orders each stream, not the two.
 */
export const latestByKey = <E extends { readonly occurredAt: string }>(events: readonly E[], keyOf: (event: E) => string): Map<string, E> => {
  const latest = new Map<string, E>();
  for (const event of events) {
    const kept = latest.get(keyOf(event));
    if (!kept || Date.parse(event.occurredAt) >= Date.parse(kept.occurredAt)) latest.set(keyOf(event), event);
  }
  return latest;
};
