import { permitsCall, type Assurance, type CallRouting, type DestinationClass, type DeviceLocation, type RejectionReason } from '@homeline/contracts';
import type { DirectoryAccount, DirectoryContact, DirectoryMember } from '../directory/directory.reads';
import { classifyDialString, resolveContactName } from './destination';
import type { RouteDecisionEvent } from './route-events';

/** Everything a routing decision looks at; read from the projection by the caller, ids made by it too. */
export interface RouteFacts {
  readonly request: CallRouting;
  readonly account: DirectoryAccount | undefined;
  readonly members: readonly DirectoryMember[];
  /** The speaker's own contacts and the household's, never another member's. */
  readonly contacts: readonly DirectoryContact[];
  readonly deviceLocation: DeviceLocation | null;
  readonly assurance: Assurance;
  readonly legId: string;
}

interface Destination {
  readonly class: DestinationClass;
  readonly e164: string;
  readonly contact: DirectoryContact | null;
}

type Found = { readonly ok: true; readonly destination: Destination } | { readonly ok: false; readonly reason: RejectionReason };

const rejected = (callId: string, reason: RejectionReason, destinationClass?: DestinationClass): RouteDecisionEvent[] => [
  { type: 'DestinationRejected', data: { callId, reason, ...(destinationClass ? { class: destinationClass } : {}) } },
];

/**
 * Where a call goes, or why it does not. The target is classified first, so an emergency
 * number routes whoever is speaking; everything else needs a verified member whose grants
 * (applied by the contracts' `permitsCall`) cover the destination.
 */
export const decideRoute = (facts: RouteFacts): RouteDecisionEvent[] => {
  const { request, account } = facts;
  if (!account) return rejected(request.callId, 'unknown_account');
  const dialled = classifyDialString(request.target, account.country);
  if (dialled.kind === 'number' && dialled.class === 'emergency') return routeEmergency(facts, account, dialled.e164);
  if (!request.verified) return rejected(request.callId, request.speakerRejection ?? 'speaker_not_verified');
  const member = facts.members.find((m) => m.memberId === request.memberId);
  if (!member) return rejected(request.callId, 'speaker_not_verified');
  const found = findDestination(request.target, account.country, facts.contacts);
  if (!found.ok) return rejected(request.callId, found.reason);
  const { destination } = found;
  if (destination.class === 'emergency') return routeEmergency(facts, account, destination.e164);
  const permission = permitsCall(member.grants, destination.class, destination.contact !== null, facts.assurance);
  if (!permission.allowed) return rejected(request.callId, permission.reason, destination.class);
  return routeTo(facts, account, destination);
};

const findDestination = (target: string, country: string, contacts: readonly DirectoryContact[]): Found => {
  const dialled = classifyDialString(target, country);
  switch (dialled.kind) {
    case 'invalid':
      return { ok: false, reason: 'invalid_destination' };
    case 'blocked':
      return { ok: false, reason: 'destination_blocked' };
    case 'number': {
      // Dialling a contact's number is calling that contact (a child may call household contacts).
      const contact = contacts.find((c) => c.e164 === dialled.e164) ?? null;
      return { ok: true, destination: { class: dialled.class, e164: dialled.e164, contact } };
    }
    case 'name': {
      const match = resolveContactName(target, contacts);
      if (match.kind === 'none') return { ok: false, reason: 'unknown_contact' };
      if (match.kind === 'ambiguous') return { ok: false, reason: 'ambiguous_contact' };
      const number = classifyDialString(match.contact.e164, country);
      if (number.kind !== 'number') return { ok: false, reason: 'invalid_destination' };
      return { ok: true, destination: { class: number.class, e164: number.e164, contact: match.contact } };
    }
    default: {
      const unreachable: never = dialled;
      return unreachable;
    }
  }
};

const routeTo = (facts: RouteFacts, account: DirectoryAccount, destination: Destination): RouteDecisionEvent[] => {
  const { callId } = facts.request;
  const viaContact = destination.contact && {
    contactId: destination.contact.contactId,
    name: destination.contact.name,
    household: destination.contact.memberId === null,
  };
  return [
    { type: 'DestinationResolved', data: { callId, accountId: account.accountId, class: destination.class, e164: destination.e164, viaContact } },
    {
      type: 'CarrierLegRequested',
      data: { callId, legId: facts.legId, e164: destination.e164, callerId: account.msisdn, emergency: false },
    },
  ];
};

/** Emergency: always routed, with the registered address and the device's room, and the owner told. */
const routeEmergency = (facts: RouteFacts, account: DirectoryAccount, e164: string): RouteDecisionEvent[] => {
  const { callId } = facts.request;
  const location = facts.deviceLocation;
  const owner = facts.members.find((m) => m.role === 'owner');
  return [
    { type: 'DestinationResolved', data: { callId, accountId: account.accountId, class: 'emergency', e164, viaContact: null } },
    {
      type: 'CarrierLegRequested',
      data: { callId, legId: facts.legId, e164, callerId: account.msisdn, emergency: true, address: account.address, location },
    },
    ...(owner
      ? [{
          type: 'EmergencyOwnerNotified' as const,
          data: { callId, accountId: account.accountId, ownerMemberId: owner.memberId, e164, address: account.address, location },
        }]
      : []),
  ];
};
