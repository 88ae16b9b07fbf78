import {
  permitsCall,
  type Address,
  type CallGrant,
  type CallRouting,
  type CarrierLegRequested,
  type DestinationRejected,
  type DestinationResolved,
  type DeviceLocation,
  type EmergencyOwnerNotified,
  type RejectionReason,
} from '@homeline/contracts';
import { classifyDestination, type Classification } from './classify-destination';
import { contactWithNumber, resolveTarget, type Contact } from './resolve-target';

/** What routing's projection of identity knows about the caller's household. */
export interface RoutingContext {
  readonly account: {
    readonly accountId: string;
    readonly msisdn: string;
    readonly address: Address;
    readonly ownerMemberIds: readonly string[];
  } | null;
  /** The verified speaker's published grants; null when unverified or unknown. */
  readonly member: { readonly memberId: string; readonly grants: readonly CallGrant[] } | null;
  readonly deviceLocation: DeviceLocation | null;
  /** All of the account's contacts; visibility is decided here. */
  readonly contacts: readonly Contact[];
  /** The id for the carrier leg, chosen by the caller (no randomness here). */
  readonly legId: string;
}

export type RouteEvent =
  | { readonly type: 'DestinationResolved'; readonly data: DestinationResolved }
  | { readonly type: 'DestinationRejected'; readonly data: DestinationRejected }
  | { readonly type: 'CarrierLegRequested'; readonly data: CarrierLegRequested }
  | { readonly type: 'EmergencyOwnerNotified'; readonly data: EmergencyOwnerNotified };

type Destination = Extract<Classification, { ok: true }> & { readonly contact: Contact | null };

const rejected = (callId: string, reason: RejectionReason, cls?: Destination['class']): RouteEvent[] => [
  { type: 'DestinationRejected', data: { callId, reason, ...(cls ? { class: cls } : {}) } },
];

/** The target as a classified number, or the reason it is none. */
const destinationOf = (
  request: CallRouting,
  context: RoutingContext,
  country: string,
): Destination | RejectionReason => {
  const resolved = resolveTarget(request.target, request.memberId, context.contacts);
  if (resolved.kind === 'refused')
    return request.verified ? resolved.reason : (request.speakerRejection ?? 'speaker_not_verified');
  const dial = resolved.kind === 'contact' ? resolved.contact.e164 : resolved.dialString;
  const classified = classifyDestination(dial, country);
  if (!classified.ok) return classified.reason;
  const contact =
    resolved.kind === 'contact'
      ? resolved.contact
      : contactWithNumber(classified.e164, request.memberId, context.contacts);
  return { ...classified, contact };
};

/** Whether this caller may reach this destination; emergency numbers are reachable by anyone. */
const refusal = (request: CallRouting, context: RoutingContext, destination: Destination): RejectionReason | null => {
  if (destination.class === 'emergency') return null;
  if (!request.verified) return request.speakerRejection ?? 'speaker_not_verified';
  if (!context.member) return 'not_permitted';
  const permission = permitsCall(
    context.member.grants,
    destination.class,
    destination.contact !== null,
    request.assurance ?? 'standard',
  );
  return permission.allowed ? null : permission.reason;
};

const emergencyNotices = (
  request: CallRouting,
  account: NonNullable<RoutingContext['account']>,
  context: RoutingContext,
  e164: string,
): RouteEvent[] =>
  account.ownerMemberIds.map((ownerMemberId) => ({
    type: 'EmergencyOwnerNotified' as const,
    data: {
      callId: request.callId,
      accountId: account.accountId,
      ownerMemberId,
      e164,
      address: account.address,
      location: context.deviceLocation,
    },
  }));

/**
 * Routing's decision for a call handed over by calls (CallRouting): resolve and classify the
 * target, apply the speaker's grants, then ask for a carrier leg. An emergency call routes
 * even unverified, carries the registered address and the device's location, and notifies
 * every owner. Anything else is a DestinationRejected with a stable reason.
 */
export const planRoute = (request: CallRouting, context: RoutingContext): RouteEvent[] => {
  const { account } = context;
  if (!account) return rejected(request.callId, 'unknown_account');
  const destination = destinationOf(request, context, account.address.country);
  if (typeof destination === 'string') return rejected(request.callId, destination);
  const reason = refusal(request, context, destination);
  if (reason) return rejected(request.callId, reason, destination.class);

  const emergency = destination.class === 'emergency';
  const contact = destination.contact;
  return [
    {
      type: 'DestinationResolved',
      data: {
        callId: request.callId,
        accountId: account.accountId,
        class: destination.class,
        e164: destination.e164,
        viaContact: contact
          ? { contactId: contact.contactId, name: contact.name, household: contact.memberId === null }
          : null,
      },
    },
    {
      type: 'CarrierLegRequested',
      data: {
        callId: request.callId,
        legId: context.legId,
        e164: destination.e164,
        callerId: account.msisdn,
        emergency,
        ...(emergency ? { address: account.address, location: context.deviceLocation } : {}),
      },
    },
    ...(emergency ? emergencyNotices(request, account, context, destination.e164) : []),
  ];
};
