import { Counter, Registry } from 'prom-client';
import type { OfferOutcome } from '../application/inbound-offers';

/** What an operator watches on routing: decisions by outcome, carrier callbacks, carrier requests, inbound calls. */
export class RoutingMetrics {
  readonly decisions: Counter<'outcome' | 'detail'>;
  readonly callbacks: Counter<'outcome'>;
  readonly carrierRequests: Counter<'action' | 'result'>;
  readonly inboundCalls: Counter<'outcome'>;
  readonly ringCancellations: Counter<'reason'>;

  constructor(registry: Registry) {
    this.decisions = new Counter({
      name: 'routing_decisions_total',
      help: 'Routing decisions: resolved (detail = destination class) or rejected (detail = reason)',
      labelNames: ['outcome', 'detail'],
      registers: [registry],
    });
    this.callbacks = new Counter({
      name: 'routing_carrier_callbacks_total',
      help: 'Carrier status callbacks: applied, ignored (late or overtaken), duplicate or unknown_leg',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.carrierRequests = new Counter({
      name: 'routing_carrier_requests_total',
      help: 'Requests to the carrier (place, hang_up, bridge, voicemail): done, retried or given up',
      labelNames: ['action', 'result'],
      registers: [registry],
    });
    this.inboundCalls = new Counter({
      name: 'routing_inbound_calls_total',
      help: 'Inbound webhooks: ringing, declined (away_mode, quiet_hours, no_devices), repeated, unknown_line, carrier_call_in_use',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.ringCancellations = new Counter({
      name: 'routing_ring_cancellations_total',
      help: 'Devices told to stop ringing, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
  }

  readonly offered = (outcome: OfferOutcome): void =>
    this.inboundCalls.inc({ outcome: outcome.kind !== 'offered' ? outcome.kind : outcome.missed ? 'missed' : (outcome.declined ?? 'ringing') });

  readonly inboundDecided = (events: readonly { readonly type: string; readonly data: object }[]): void => {
    for (const { type, data } of events)
      if (type === 'DeviceRingCancelled') this.ringCancellations.inc({ reason: (data as { reason: string }).reason });
  };

  readonly decided = (events: readonly { readonly type: string; readonly data: object }[]): void => {
    for (const { type, data } of events) {
      if (type === 'DestinationResolved')
        this.decisions.inc({ outcome: 'resolved', detail: (data as { class: string }).class });
      if (type === 'DestinationRejected')
        this.decisions.inc({ outcome: 'rejected', detail: (data as { reason: string }).reason });
    }
  };
}
