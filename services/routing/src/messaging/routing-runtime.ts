import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { BackgroundStart, SERVICE_CONFIG } from '@homeline/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { CARRIER_PORT, type CarrierPort } from '../carrier/carrier.port';
import type { RoutingConfig } from '../config';
import { LegDispatcher } from '../legs/leg-dispatcher';
import { callsConsumer, identityConsumer } from './routing-consumers';
import { RoutingMetrics } from './routing-metrics';

/**
 * Routing's background work: the two inbox consumers and the carrier dispatcher (the outbox relay
 * to homeline.routing.v1 is the platform's OutboxRelayHost). The consumers start in the background
 * like every service's, so routing comes up (live, not ready) while Kafka is away; the dispatcher
 * needs only the database. Stopped before the database closes.
 */
@Injectable()
export class RoutingRuntime implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumers: BackgroundStart[];
  private readonly dispatcher: LegDispatcher;

  constructor(
    dataSource: DataSource,
    kafka: Kafka,
    @Inject(SERVICE_CONFIG) config: RoutingConfig,
    @Inject(CARRIER_PORT) private readonly carrier: CarrierPort & { stop?: () => void },
    metrics: RoutingMetrics,
  ) {
    const topics = { identity: config.TOPIC_IDENTITY, calls: config.TOPIC_CALLS };
    this.consumers = [identityConsumer(kafka, dataSource, topics), callsConsumer(kafka, dataSource, topics, metrics)].map(
      (consumer) => new BackgroundStart(RoutingRuntime.name, () => consumer.start(), () => consumer.stop()),
    );
    this.dispatcher = new LegDispatcher(dataSource, carrier, {
      pollMs: config.CARRIER_DISPATCH_POLL_MS,
      onOutcome: (action, result) => metrics.carrierRequests.inc({ action, result }),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.dispatcher.start();
    this.consumers.forEach((consumer) => consumer.begin());
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.end()));
    await this.dispatcher.stop();
    this.carrier.stop?.();
  }
}
