import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { IntegrationEvent } from '@homeline/contracts';
import { InboxConsumer, type Clock, type ConsumedEvent, type UnitOfWork } from '@homeline/event-store';
import { BackgroundStart, CLOCK, EventFlowMetrics, SERVICE_CONFIG, storeLogger } from '@homeline/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { CallWrites } from '../application/call-writes';
import { callSetupInputs, commandsFor } from '../domain';
import type { CallsConfig } from '../config';
import { isRegistryEvent, KnownDevices, registryEventTypes } from './known-devices';

/**
 * Feeds identity's and routing's answers to the calls they concern (the call-setup process
 * manager), a Kafka batch at a time, as one unit of work: one read of what the inbox has seen,
 * one of all the batch's calls, and one statement writing their events, deadlines and inbox rows.
 * Also keeps calls' projection of linked devices from identity's registry events.
 */
@Injectable()
export class CallSetupConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly worker: BackgroundStart;

  constructor(
    kafka: Kafka,
    dataSource: DataSource,
    private readonly writes: CallWrites,
    private readonly devices: KnownDevices,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) config: CallsConfig,
    metrics: EventFlowMetrics,
  ) {
    const consumer = new InboxConsumer<IntegrationEvent>({
      kafka,
      dataSource,
      groupId: 'homeline-calls',
      topics: [config.TOPIC_IDENTITY, config.TOPIC_ROUTING],
      handles: [...callSetupInputs, ...registryEventTypes],
      handleAsUnit: (events, uow) => this.apply(events, uow),
      // The inbox's warnings (dead letters, retries, failed offset commits) as the service's JSON log lines.
      logger: storeLogger(CallSetupConsumer.name),
      instrumentation: metrics.consumers,
    });
    this.worker = new BackgroundStart(CallSetupConsumer.name, (died) => consumer.start(died), () => consumer.stop(), kafka);
  }

  private async apply(events: readonly ConsumedEvent<IntegrationEvent>[], uow: UnitOfWork): Promise<void> {
    for (const companion of this.devices.projections(events.map((e) => e.event).filter(isRegistryEvent))) uow.also(companion);
    const now = this.clock.now().toISOString();
    const steps = events.flatMap(({ event, traceparent }) =>
      !isRegistryEvent(event) && 'callId' in event.data
        ? [{ callId: event.data.callId, commands: (state: Parameters<typeof commandsFor>[1]) => commandsFor(event, state, now), causationId: event.id, traceparent }]
        : [],
    );
    if (steps.length) await this.writes.stage(uow, steps);
  }

  onApplicationBootstrap(): void {
    this.worker.begin();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker.end();
  }
}
