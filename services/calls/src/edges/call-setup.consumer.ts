import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { safeParseEvent, type IntegrationEvent } from '@homeline/contracts';
import { InboxConsumer } from '@homeline/event-store';
import { BackgroundStart, SERVICE_CONFIG } from '@homeline/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { updateCall } from '../application/call-stream';
import { commandsFor } from '../domain';
import { callTimeouts, type CallsConfig } from '../config';

/** Any integration event, validated against its type's schema; a message failing it is dead-lettered. */
const integrationEvent = z.unknown().transform((raw, ctx) => {
  const parsed = safeParseEvent(raw);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.reason });
    return z.NEVER;
  }
  return parsed.event;
}) as unknown as z.ZodType<IntegrationEvent>;

/** Feeds identity's and routing's answers to the calls they concern. */
@Injectable()
export class CallSetupConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly worker: BackgroundStart;

  constructor(kafka: Kafka, dataSource: DataSource, @Inject(SERVICE_CONFIG) config: CallsConfig) {
    const timeouts = callTimeouts(config);
    const consumer = new InboxConsumer({
      kafka,
      dataSource,
      groupId: 'homeline-calls',
      topics: [config.TOPIC_IDENTITY, config.TOPIC_ROUTING],
      schema: integrationEvent,
      handle: async (event, manager) => {
        const callId = 'callId' in event.data ? event.data.callId : null;
        if (callId === null) return; // registry events concern no call
        const now = new Date().toISOString();
        await updateCall(manager, callId, (state) => commandsFor(event, state, now), timeouts, { causationId: event.id });
      },
    });
    this.worker = new BackgroundStart(CallSetupConsumer.name, () => consumer.start(), () => consumer.stop());
  }

  onApplicationBootstrap(): void {
    this.worker.begin();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker.end();
  }
}
