import type { CarrierLegRequested, DestinationRejected, DestinationResolved, EmergencyOwnerNotified } from '@homeline/contracts';

/** What a routing decision appends to `route-<callId>`. */
export type RouteDecisionEvent =
  | { readonly type: 'DestinationResolved'; readonly data: DestinationResolved }
  | { readonly type: 'DestinationRejected'; readonly data: DestinationRejected }
  | { readonly type: 'CarrierLegRequested'; readonly data: CarrierLegRequested }
  | { readonly type: 'EmergencyOwnerNotified'; readonly data: EmergencyOwnerNotified };

export const routeStreamId = (callId: string): string => `route-${callId}`;
