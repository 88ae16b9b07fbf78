import { randomUUID } from 'node:crypto';
import { InboxConsumer } from '@homeline/event-store';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { routeCall } from '../decision/route-call';
import { directoryEventTypes, projectIdentityEvent } from '../directory/directory.projection';
import { releaseLegOfCall } from '../legs/release-leg';
import { consumedEventSchema } from './consumed-event';
import type { RoutingMetrics } from './routing-metrics';

// A fetch waits at most this long for new messages; shutdown waits for the fetch in flight.
const consumerConfig = { maxWaitTimeInMs: 500 };

export interface RoutingTopics {
  readonly identity: string;
  readonly calls: string;
}

/** identity's registry events -> routing's projection (and the speaker assurance per call). */
export const identityConsumer = (kafka: Kafka, dataSource: DataSource, topics: RoutingTopics) =>
  new InboxConsumer({
    kafka,
    dataSource,
    groupId: 'routing.identity',
    topics: [topics.identity],
    consumerConfig,
    schema: consumedEventSchema(directoryEventTypes),
    handle: async (event, manager) => {
      if (event.type !== 'ignored') await projectIdentityEvent(manager, event);
    },
  });

/** calls' CallRouting -> a routing decision; CallEnded / CallFailed -> release the carrier leg. */
export const callsConsumer = (kafka: Kafka, dataSource: DataSource, topics: RoutingTopics, metrics: RoutingMetrics) =>
  new InboxConsumer({
    kafka,
    dataSource,
    groupId: 'routing.calls',
    topics: [topics.calls],
    consumerConfig,
    schema: consumedEventSchema(['CallRouting', 'CallEnded', 'CallFailed'] as const),
    handle: async (event, manager) => {
      switch (event.type) {
        case 'CallRouting':
          return void metrics.decided(await routeCall(manager, event, randomUUID));
        case 'CallEnded':
        case 'CallFailed':
          return releaseLegOfCall(manager, event, new Date());
        case 'ignored':
          return;
        default: {
          const unhandled: never = event;
          return unhandled;
        }
      }
    },
  });
