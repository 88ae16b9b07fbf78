import { Module } from '@nestjs/common';
import { OutboxRelayHost } from '@homeline/platform';
import { carrierProvider } from './carrier/carrier.provider';
import { CarrierStatusController } from './legs/carrier-status.controller';
import { RoutingMetrics } from './messaging/routing-metrics';
import { RoutingRuntime } from './messaging/routing-runtime';
import { Registry } from 'prom-client';

/** Destination decisions, carrier legs and the carrier webhook. */
@Module({
  controllers: [CarrierStatusController],
  providers: [
    carrierProvider,
    { provide: RoutingMetrics, inject: [Registry], useFactory: (registry: Registry) => new RoutingMetrics(registry) },
    RoutingRuntime,
    OutboxRelayHost,
  ],
})
export class RoutingModule {}
