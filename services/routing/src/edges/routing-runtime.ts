import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { BackgroundStart, EventFlowMetrics, SERVICE_CONFIG } from '@homeline/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { CARRIER_PORT, type CarrierPort } from '../application/carrier.port';
import type { RoutingConfig } from '../config';
import { callsConsumer, identityConsumer } from './routing-consumers';
import { RoutingApplication } from './routing.composition';

/**
 * Routing's background work: the two inbox consumers and the carrier dispatcher (the outbox relay
 * to homeline.routing.v1 is the platform's OutboxRelayHost). The consumers start in the background
 * like every service's, so routing comes up (live, not ready) while Kafka is away; the dispatcher
 * needs only the database. Stopped before the database closes.
 */
@Injectable()
export class RoutingRuntime implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumers: BackgroundStart[];

  constructor(
    dataSource: DataSource,
    kafka: Kafka,
    @Inject(SERVICE_CONFIG) config: RoutingConfig,
    @Inject(CARRIER_PORT) private readonly carrier: CarrierPort & { stop?: () => Promise<void> },
    private readonly routing: RoutingApplication,
    flow: EventFlowMetrics,
  ) {
    const deps = { kafka, dataSource, routing, instrumentation: flow.consumers };
    const consumers = { IdentityConsumer: identityConsumer(deps, config.TOPIC_IDENTITY), CallsConsumer: callsConsumer(deps, config.TOPIC_CALLS) };
    this.consumers = Object.entries(consumers).map(
      ([name, consumer]) => new BackgroundStart(`${RoutingRuntime.name}.${name}`, (died) => consumer.start(died), () => consumer.stop(), kafka),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.routing.dispatcher.start();
    this.consumers.forEach((consumer) => consumer.begin());
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.end()));
    await this.routing.dispatcher.stop();
    await this.carrier.stop?.();
  }
}
