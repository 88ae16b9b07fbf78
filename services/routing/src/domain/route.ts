import type {
  DestinationClass,
  DestinationRejected,
  DestinationResolved,
  EmergencyOwnerNotified,
  RejectionReason,
} from '@homeline/contracts';

/**
 * The routing decision for one call (stream `route-<callId>`): where it goes, or why it goes
 * nowhere. Made once per call; the carrier leg it asks for lives on its own stream (carrier-leg.ts).
 * The data shapes are the published contracts.
 */
export type RouteEvent =
  | { readonly type: 'DestinationResolved'; readonly data: DestinationResolved }
  | { readonly type: 'DestinationRejected'; readonly data: DestinationRejected }
  | { readonly type: 'EmergencyOwnerNotified'; readonly data: EmergencyOwnerNotified };

export type RouteUndecided = { readonly status: 'undecided' };
export type RouteResolved = {
  readonly status: 'resolved';
  readonly callId: string;
  readonly class: DestinationClass;
  readonly e164: string;
};
export type RouteRejected = { readonly status: 'rejected'; readonly callId: string; readonly reason: RejectionReason };

export type RouteState = RouteUndecided | RouteResolved | RouteRejected;

export const initialRouteState = (): RouteState => ({ status: 'undecided' });

export const evolveRoute = (state: RouteState, event: RouteEvent): RouteState => {
  switch (event.type) {
    case 'DestinationResolved':
      return { status: 'resolved', callId: event.data.callId, class: event.data.class, e164: event.data.e164 };
    case 'DestinationRejected':
      return { status: 'rejected', callId: event.data.callId, reason: event.data.reason };
    case 'EmergencyOwnerNotified':
      return state; // a notice about the decision, not a change of it
    default: {
      const unknown: never = event;
      throw new Error(`unknown route event ${(unknown as RouteEvent).type}`);
    }
  }
};
