import { Counter, Registry } from 'prom-client';

/** What an operator watches on routing: decisions by outcome, carrier callbacks, carrier requests. */
export class RoutingMetrics {
  readonly decisions: Counter<'outcome' | 'detail'>;
  readonly callbacks: Counter<'outcome'>;
  readonly carrierRequests: Counter<'action' | 'result'>;

  constructor(registry: Registry) {
    this.decisions = new Counter({
      name: 'routing_decisions_total',
      help: 'Routing decisions: resolved (detail = destination class) or rejected (detail = reason)',
      labelNames: ['outcome', 'detail'],
      registers: [registry],
    });
    this.callbacks = new Counter({
      name: 'routing_carrier_callbacks_total',
      help: 'Carrier status callbacks accepted: applied, duplicate or unknown_leg',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.carrierRequests = new Counter({
      name: 'routing_carrier_requests_total',
      help: 'Requests to the carrier (place, hang_up): done, retried or given up',
      labelNames: ['action', 'result'],
      registers: [registry],
    });
  }

  decided(events: readonly { readonly type: string; readonly data: object }[]): void {
    for (const { type, data } of events) {
      if (type === 'DestinationResolved')
        this.decisions.inc({ outcome: 'resolved', detail: (data as { class: string }).class });
      if (type === 'DestinationRejected')
        this.decisions.inc({ outcome: 'rejected', detail: (data as { reason: string }).reason });
    }
  }
}
