import { evolveLeg, initialLegState, type CarrierLegEvent, type CarrierLegState } from '../domain';

/** A call's routing stream: the decision, then its carrier leg's events. */
export const routeStreamId = (callId: string): string => `route-${callId}`;

const legEventTypes: ReadonlySet<string> = new Set<CarrierLegEvent['type']>([
  'CarrierLegRequested', 'CarrierLegRinging', 'CarrierLegAnswered', 'CarrierLegFailed', 'CarrierLegEnded',
]);

/** The carrier leg's state, folded from the leg events among the stream's (the decision events say nothing about it). */
export const legStateOf = (events: readonly { readonly type: string; readonly data: unknown }[]): CarrierLegState =>
  (events.filter((e) => legEventTypes.has(e.type)) as unknown as CarrierLegEvent[]).reduce(evolveLeg, initialLegState);
