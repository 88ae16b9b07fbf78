import { Module } from '@nestjs/common';
import { carrierProvider } from './carrier/carrier.provider';
import { CarrierStatusController } from './legs/carrier-status.controller';
import { RoutingRuntime } from './messaging/routing-runtime';

/** Destination decisions, carrier legs and the carrier webhook. */
@Module({
  controllers: [CarrierStatusController],
  providers: [carrierProvider, RoutingRuntime],
})
export class RoutingModule {}
