import type { ConsumedEvent, ConsumerInstrumentation, RecordedEvent } from '@homeline/event-store';
import { Counter, Histogram, type Registry } from 'prom-client';

const delayBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * How events flow through a service, per hop (docs/architecture.md section 8): append -> published
 * (the relay's delay), published -> consumed (each consumer's delay), retries and fetches (dead
 * letters: MessagingMetrics).
 * `npm run bench` reads these to print per-hop latency.
 */
export class EventFlowMetrics {
  readonly publishDelay: Histogram;
  readonly consumeDelay: Histogram<'consumer'>;
  readonly retries: Counter<'consumer' | 'kind'>;
  readonly fetches: Counter<'consumer'>;

  constructor(registry: Registry) {
    this.publishDelay = new Histogram({
      name: 'homeline_event_publish_delay_seconds',
      help: 'From an event\'s append (occurredAt) to Kafka acknowledging its publication by the outbox relay',
      buckets: delayBuckets,
      registers: [registry],
    });
    this.consumeDelay = new Histogram({
      name: 'homeline_event_consume_delay_seconds',
      help: 'From an event\'s publication (Kafka timestamp) to the commit of its effects, per consumer',
      labelNames: ['consumer'],
      buckets: delayBuckets,
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'homeline_consumer_retries_total',
      help: 'Batches retried, per consumer, transient or unexpected',
      labelNames: ['consumer', 'kind'],
      registers: [registry],
    });
    this.fetches = new Counter({
      name: 'homeline_consumer_fetches_total',
      help: 'Kafka fetches made, per consumer: those that brought messages and those that waited out (an idle consumer makes about one a second)',
      labelNames: ['consumer'],
      registers: [registry],
    });
  }

  /** The relay's hook. */
  readonly published = (events: readonly RecordedEvent[], publishedAt: number): void => {
    for (const event of events) this.publishDelay.observe(Math.max(0, publishedAt - Date.parse(event.occurredAt)) / 1000);
  };

  /** The inbox consumers' hooks. */
  readonly consumers: ConsumerInstrumentation = {
    consumed: (consumer: string, event: ConsumedEvent<unknown>) =>
      this.consumeDelay.observe({ consumer }, Math.max(0, Date.now() - event.timestamp) / 1000),
    retried: (consumer: string, transient: boolean) => this.retries.inc({ consumer, kind: transient ? 'transient' : 'unexpected' }),
    fetched: (consumer: string) => this.fetches.inc({ consumer }),
  };
}
