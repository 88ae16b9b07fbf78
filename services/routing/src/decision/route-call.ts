import type { CallRouting, Envelope } from '@homeline/contracts';
import { appendToStream } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import { planRoute, type RouteEvent, type RoutingContext } from '../domain';
import { findHousehold, type Household } from '../directory/directory.reads';
import { queueLegPlacement } from '../legs/carrier-requests';
import { routeStreamId, streamExists } from './route-stream';

/**
 * Handles CallRouting inside the inbox transaction: reads the projection, lets the domain plan
 * the route, appends to `route-<callId>` and, when a leg is requested, queues its placement in
 * the same transaction. The carrier itself is called only after commit (LegDispatcher).
 */
export const routeCall = async (
  manager: EntityManager,
  event: Envelope<'CallRouting', CallRouting>,
  newLegId: () => string,
): Promise<readonly RouteEvent[]> => {
  const request = event.data;
  const streamId = routeStreamId(request.callId);
  if (await streamExists(manager, streamId)) return []; // one decision per call, even if CallRouting is sent again
  const household = await findHousehold(manager, request.accountId, request.deviceId);
  const events = planRoute(request, routingContext(request, household, newLegId()));
  await appendToStream(manager, streamId, events, {
    expectedVersion: 'no-stream',
    source: 'routing',
    correlationId: request.callId,
    causationId: event.id,
    accountId: request.accountId,
  });
  for (const planned of events) {
    if (planned.type !== 'CarrierLegRequested') continue;
    const { legId, callId, e164, emergency, address, location } = planned.data;
    const dispatchable = emergency ? { address, location } : undefined;
    await queueLegPlacement(manager, request.accountId, { legId, callId, e164, emergency, location: dispatchable });
  }
  return events;
};

const routingContext = (request: CallRouting, household: Household | undefined, legId: string): RoutingContext => {
  if (!household) return { account: null, member: null, deviceLocation: null, contacts: [], legId };
  const speaker = request.verified ? household.members.find((m) => m.memberId === request.memberId) : undefined;
  return {
    account: {
      accountId: household.accountId,
      msisdn: household.msisdn,
      address: household.address,
      ownerMemberIds: household.members.filter((m) => m.role === 'owner').map((m) => m.memberId),
    },
    member: speaker ? { memberId: speaker.memberId, grants: speaker.grants } : null,
    deviceLocation: household.deviceLocation,
    contacts: household.contacts,
    legId,
  };
};
