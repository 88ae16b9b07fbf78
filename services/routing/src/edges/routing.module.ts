import { Module } from '@nestjs/common';
import { OutboxRelayHost } from '@homeline/platform';
import { Registry } from 'prom-client';
import { carrierProviders } from './carrier.provider';
import { CarrierWebhooksController } from './carrier-webhooks.controller';
import { ExpirySweeper } from './expiry-sweeper';
import { routingApplicationProvider } from './routing.composition';
import { RoutingMetrics } from './routing-metrics';
import { RoutingRuntime } from './routing-runtime';

/** Destination decisions, carrier legs, inbound calls and the carrier's webhooks; the sweep of what they keep only for a while. */
@Module({
  controllers: [CarrierWebhooksController],
  providers: [
    ...carrierProviders,
    { provide: RoutingMetrics, inject: [Registry], useFactory: (registry: Registry) => new RoutingMetrics(registry) },
    routingApplicationProvider,
    RoutingRuntime,
    OutboxRelayHost,
    ExpirySweeper,
  ],
})
export class RoutingModule {}
