import { randomUUID } from 'node:crypto';
import { Topics, type Envelope, type EventData, type EventType, type ServiceName } from '@homeline/contracts';

/** An integration event as another service's relay would publish it. */
export const envelope = <T extends EventType>(
  type: T,
  data: EventData<T>,
  context: {
    readonly source: ServiceName;
    readonly streamId: string;
    readonly accountId: string | null;
    readonly correlationId?: string;
  },
  streamVersion = 1,
): Envelope<T, EventData<T>> => ({
  id: randomUUID(),
  type,
  source: context.source,
  streamId: context.streamId,
  streamVersion,
  occurredAt: new Date().toISOString(),
  correlationId: context.correlationId ?? context.streamId,
  causationId: null,
  accountId: context.accountId,
  data,
});

export const topicOf = (event: Envelope): string => Topics[event.source];
