import type { IntegrationEvent } from '@homeline/contracts';
import { InboxConsumer, type ConsumerInstrumentation } from '@homeline/event-store';
import { storeLogger } from '@homeline/platform';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { registryEventTypes } from '../application/ports';
import type { RegistryEvent } from '../application/registry-projection';
import type { CallVerdict } from '../application/inbound-progress';
import type { RedialRequest } from '../application/emergency-redials';
import type { CallOver } from '../application/release-legs';
import type { RoutingApplication } from './routing.composition';

export interface RoutingConsumerDeps {
  readonly kafka: Kafka;
  readonly dataSource: DataSource;
  readonly routing: RoutingApplication;
  readonly instrumentation?: ConsumerInstrumentation;
}

/**
 * identity's registry events -> routing's projection of households, and a device unlinked while it
 * rings stops ringing. Speaker decisions are skipped unread.
 */
export const identityConsumer = ({ kafka, dataSource, routing, instrumentation }: RoutingConsumerDeps, topic: string) =>
  new InboxConsumer<RegistryEvent>({
    kafka,
    dataSource,
    groupId: 'homeline-routing.identity',
    topics: [topic],
    handles: registryEventTypes,
    instrumentation,
    logger: storeLogger('homeline-routing.identity'),
    handleBatch: async (batch, tx, afterCommit) => {
      const events = batch.map((b) => b.event);
      await routing.registry.apply(tx, events);
      await routing.inboundProgress.stopUnlinked(tx, events.filter((e) => e.type === 'DeviceUnlinked'), afterCommit);
    },
  });

type CallsInput = IntegrationEvent<'CallRouting'> | RedialRequest | CallVerdict;

/**
 * calls' CallRouting -> routing decisions; EmergencyRedialRequested -> a new leg for an emergency
 * call whose leg failed; CallEnded / CallFailed -> release the calls' carrier legs;
 * CallConnected / CallFailed / CallEnded / CallRejected of an inbound call -> its devices and the carrier.
 */
export const callsConsumer = ({ kafka, dataSource, routing, instrumentation }: RoutingConsumerDeps, topic: string) =>
  new InboxConsumer<CallsInput>({
    kafka,
    dataSource,
    groupId: 'homeline-routing.calls',
    topics: [topic],
    handles: ['CallRouting', 'EmergencyRedialRequested', 'CallEnded', 'CallFailed', 'CallConnected', 'CallRejected'],
    // An outbound call's connection changes nothing here: no transaction, no inbox row for it.
    acts: (event) => event.type !== 'CallConnected' || event.data.direction === 'inbound',
    instrumentation,
    logger: storeLogger('homeline-routing.calls'),
    // A call's CallRouting, and any emergency redial, always come before its end: routing all first, then
    // dialling again, then releasing, keeps each call's order. What they tell the metrics waits for the
    // commit (afterCommit): a batch that fails is applied again, whole, and must count once.
    handleBatch: async (batch, tx, afterCommit) => {
      const events = batch.map((b) => b.event);
      const traces = new Map(batch.map((b) => [b.event.id, b.traceparent]));
      const traceOf = (eventId: string) => traces.get(eventId) ?? null;
      await routing.router.route(
        tx,
        events.filter((e): e is IntegrationEvent<'CallRouting'> => e.type === 'CallRouting'),
        traceOf,
        afterCommit,
      );
      await routing.redials.redial(
        tx,
        events.filter((e): e is RedialRequest => e.type === 'EmergencyRedialRequested'),
        traceOf,
      );
      await routing.releaser.release(
        tx,
        events.filter((e): e is CallOver => e.type === 'CallEnded' || e.type === 'CallFailed'),
        traceOf,
      );
      await routing.inboundProgress.follow(
        tx,
        events.filter((e): e is CallVerdict => e.type !== 'CallRouting' && e.type !== 'EmergencyRedialRequested'),
        traceOf,
        afterCommit,
      );
    },
  });
