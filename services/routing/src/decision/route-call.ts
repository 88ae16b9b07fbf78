import type { CallRouting, Envelope } from '@homeline/contracts';
import { appendToStream, readStream } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import { planRoute } from '../domain';
import { findAccount, findContacts, findDeviceLocation, findMembers } from '../directory/directory.reads';
import { queueLegPlacement } from '../legs/carrier-requests';
import { routeStreamId } from './route-stream';

/**
 * Handles CallRouting inside the inbox transaction: reads the projection, lets the domain plan
 * the route, appends to `route-<callId>` and, when a leg is requested, queues its placement in
 * the same transaction. The carrier itself is called only after commit (LegDispatcher).
 */
export const routeCall = async (
  manager: EntityManager,
  event: Envelope<'CallRouting', CallRouting>,
  newLegId: () => string,
): Promise<void> => {
  const request = event.data;
  const streamId = routeStreamId(request.callId);
  if ((await readStream(manager, streamId)).currentVersion > 0) return; // one decision per call, even if CallRouting is sent again
  const account = await findAccount(manager, request.accountId);
  const members = account ? await findMembers(manager, account.accountId) : [];
  const speaker = request.verified ? members.find((m) => m.memberId === request.memberId) : undefined;
  const events = planRoute(request, {
    account: account ? { ...account, ownerMemberIds: members.filter((m) => m.role === 'owner').map((m) => m.memberId) } : null,
    member: speaker ? { memberId: speaker.memberId, grants: speaker.grants } : null,
    deviceLocation: await findDeviceLocation(manager, request.deviceId),
    contacts: account ? await findContacts(manager, account.accountId) : [],
    legId: newLegId(),
  });
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
};
