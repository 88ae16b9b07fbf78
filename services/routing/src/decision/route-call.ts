import type { CallRouting, Envelope } from '@homeline/contracts';
import { appendToStream, readStream } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import { findAccount, findAssurance, findDeviceLocation, findMembers, findReachableContacts } from '../directory/directory.reads';
import { queueLegPlacement } from '../legs/carrier-requests';
import { decideRoute } from './decide-route';
import { routeStreamId } from './route-events';

/**
 * Handles CallRouting inside the inbox transaction: reads the projection, decides, appends to
 * `route-<callId>` and, when a leg is requested, queues its placement in the same transaction.
 * The carrier itself is called only after commit (LegDispatcher).
 */
export const routeCall = async (
  manager: EntityManager,
  event: Envelope<'CallRouting', CallRouting>,
  newLegId: () => string,
): Promise<void> => {
  const request = event.data;
  const streamId = routeStreamId(request.callId);
  const existing = await readStream(manager, streamId);
  if (existing.currentVersion > 0) return; // decided already (a re-sent CallRouting); one decision per call
  const account = await findAccount(manager, request.accountId);
  const verifiedMember = request.verified ? request.memberId : null;
  const events = decideRoute({
    request,
    account,
    members: account ? await findMembers(manager, account.accountId) : [],
    contacts: account && verifiedMember ? await findReachableContacts(manager, account.accountId, verifiedMember) : [],
    deviceLocation: await findDeviceLocation(manager, request.deviceId),
    assurance: await findAssurance(manager, request.callId),
    legId: newLegId(),
  });
  await appendToStream(manager, streamId, events, {
    expectedVersion: 'no-stream',
    source: 'routing',
    correlationId: request.callId,
    causationId: event.id,
    accountId: request.accountId,
  });
  for (const routed of events) {
    if (routed.type !== 'CarrierLegRequested') continue;
    const { legId, callId, e164, emergency, address, location } = routed.data;
    await queueLegPlacement(manager, request.accountId, { legId, callId, e164, emergency, location: emergency ? { address, location } : undefined });
  }
};
