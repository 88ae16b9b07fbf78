import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { OutboxRelay, type InboxConsumer } from '@homeline/event-store';
import { SERVICE_CONFIG } from '@homeline/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { CARRIER_PORT, type CarrierPort } from '../carrier/carrier.port';
import type { RoutingConfig } from '../config';
import { LegDispatcher } from '../legs/leg-dispatcher';
import { callsConsumer, identityConsumer } from './routing-consumers';
import { RoutingMetrics } from './routing-metrics';

/**
 * Routing's background work: the two inbox consumers, the outbox relay to homeline.routing.v1
 * and the carrier dispatcher. Started once the app is up; stopped before the database closes.
 */
@Injectable()
export class RoutingRuntime implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumers: Pick<InboxConsumer<{ id: string }>, 'start' | 'stop'>[];
  private readonly relay: OutboxRelay;
  private readonly dispatcher: LegDispatcher;

  constructor(
    dataSource: DataSource,
    kafka: Kafka,
    @Inject(SERVICE_CONFIG) config: RoutingConfig,
    @Inject(CARRIER_PORT) private readonly carrier: CarrierPort & { stop?: () => void },
    metrics: RoutingMetrics,
  ) {
    const topics = { identity: config.TOPIC_IDENTITY, calls: config.TOPIC_CALLS };
    this.consumers = [identityConsumer(kafka, dataSource, topics), callsConsumer(kafka, dataSource, topics, metrics)];
    this.relay = new OutboxRelay({
      dataSource,
      kafka,
      name: 'routing',
      topicFor: () => config.TOPIC_ROUTING,
      pollIntervalMs: 1000,
    });
    this.dispatcher = new LegDispatcher(dataSource, carrier, {
      pollMs: config.CARRIER_DISPATCH_POLL_MS,
      onOutcome: (action, result) => metrics.carrierRequests.inc({ action, result }),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.relay.start();
    await this.dispatcher.start();
    await Promise.all(this.consumers.map((c) => c.start()));
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.dispatcher.stop();
    this.carrier.stop?.();
    await this.relay.stop();
  }
}
