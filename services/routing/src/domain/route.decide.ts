import type { CallRouting } from '@homeline/contracts';
import type { Decider } from '@homeline/event-store';
import type { Metering } from './call-limits';
import type { RequestLeg } from './carrier-leg.decide';
import { planRoute, type RoutingContext } from './plan-route';
import { evolveRoute, initialRouteState, type RouteEvent, type RouteState } from './route';

/**
 * Route a call that calls handed over. The command carries everything the decision reads: the
 * request, what routing's projection knows of the household, and the id the leg will have.
 */
export type RouteCall = {
  readonly type: 'RouteCall';
  readonly request: CallRouting;
  readonly context: RoutingContext;
  /** Chosen at the edge (no randomness here); used only if the call is routed. */
  readonly legId: string;
  /** The outbound limits, and what the caller's device and account have used of them so far. */
  readonly metering: Metering;
};

/** One decision per call: a CallRouting sent again (a retried hand-over) changes nothing. */
export const decideRoute = (command: RouteCall, state: RouteState): RouteEvent[] =>
  state.status === 'undecided' ? planRoute(command.request, command.context, command.metering) : [];

export const routeDecider: Decider<RouteCall, RouteEvent, RouteState> = {
  decide: decideRoute,
  evolve: evolveRoute,
  initialState: initialRouteState,
};

/**
 * A resolved route asks for a carrier leg, on the leg's own stream: from the account's line,
 * with the registered address and the device's room when it is an emergency call.
 */
export const legRequestFor = (command: RouteCall, decided: readonly RouteEvent[]): RequestLeg | null => {
  const resolved = decided.find((e) => e.type === 'DestinationResolved');
  const { account, device } = command.context;
  if (resolved?.type !== 'DestinationResolved' || !account) return null;
  const emergency = resolved.data.class === 'emergency';
  return {
    type: 'RequestLeg',
    legId: command.legId,
    callId: resolved.data.callId,
    e164: resolved.data.e164,
    callerId: account.msisdn,
    emergency,
    ...(emergency ? { address: account.address, location: device?.location ?? null } : {}),
  };
};
