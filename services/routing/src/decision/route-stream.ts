import type { EntityManager } from 'typeorm';
import { evolveLeg, initialLegState, type CarrierLegEvent, type CarrierLegState } from '../domain';

/** A call's routing stream: the decision, then its carrier leg's events. */
export const routeStreamId = (callId: string): string => `route-${callId}`;

const legEventTypes: ReadonlySet<string> = new Set<CarrierLegEvent['type']>([
  'CarrierLegRequested',
  'CarrierLegRinging',
  'CarrierLegAnswered',
  'CarrierLegFailed',
  'CarrierLegEnded',
]);

/** The carrier leg's state, folded from the leg events among the stream's (the decision events say nothing about it). */
export const legStateOf = (events: readonly { readonly type: string; readonly data: unknown }[]): CarrierLegState =>
  (events.filter((e) => legEventTypes.has(e.type)) as unknown as CarrierLegEvent[]).reduce(evolveLeg, initialLegState);

export const streamExists = async (manager: EntityManager, streamId: string): Promise<boolean> => {
  const [row]: { exists: boolean }[] = await manager.query(
    `SELECT EXISTS (SELECT 1 FROM es_events WHERE stream_id = $1) AS exists`,
    [streamId],
  );
  return row.exists;
};
