import {
  classifyDestination,
  emergencyNumberFor,
  permitsCall,
  type Address,
  type CallGrant,
  type CallRouting,
  type Classification,
  type DeviceLocation,
  type RejectionReason,
} from '@homeline/contracts';
import { exceededLimit, type Metering } from './call-limits';
import { contactWithNumber, resolveTarget, type Contact } from './resolve-target';
import type { RouteEvent } from './route';

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
  /** The calling device, when it is linked to this account; null when routing does not know it there. */
  readonly device: { readonly location: DeviceLocation | null } | null;
  /** All of the account's contacts; visibility is decided here. */
  readonly contacts: readonly Contact[];
}

type Destination = Extract<Classification, { ok: true }> & { readonly contact: Contact | null };

const rejected = (callId: string, reason: RejectionReason, cls?: Destination['class']): RouteEvent[] => [
  { type: 'DestinationRejected', data: { callId, reason, ...(cls ? { class: cls } : {}) } },
];

/** libphonenumber throws on some dial strings ("00" in GB, any number for an unknown region): they are not dialable. */
const classify = (dial: string, country: string): Classification => {
  try {
    return classifyDestination(dial, country);
  } catch {
    return { ok: false, reason: 'invalid_destination' };
  }
};

/** The speaker whose contacts and grants count: nobody when identity did not verify one. */
const speakerOf = (request: CallRouting): string | null => (request.verified ? request.memberId : null);

/** Why an unverified speaker is refused anything but an emergency number: identity's reason. */
const speakerReason = (request: CallRouting): RejectionReason => request.speakerRejection ?? 'speaker_not_verified';

/**
 * The target as a classified number, or the reason it is none. An emergency number or word of the
 * account's country ("911", "９１１", "911#", "nine one one", "emergency") is recognised before any
 * contact is looked at, so no contact name or alias can shadow it (issue 11, finding 5).
 */
const destinationOf = (
  request: CallRouting,
  context: RoutingContext,
  country: string,
): Destination | RejectionReason => {
  const emergency = emergencyNumberFor(request.target, country);
  if (emergency !== null) return { ok: true, class: 'emergency', e164: emergency, contact: null };
  const resolved = resolveTarget(request.target, speakerOf(request), context.contacts);
  if (resolved.kind === 'refused') return request.verified ? resolved.reason : speakerReason(request);
  const dial = resolved.kind === 'contact' ? resolved.contact.e164 : resolved.dialString;
  const classified = classify(dial, country);
  if (!classified.ok) return request.verified ? classified.reason : speakerReason(request);
  const contact =
    resolved.kind === 'contact'
      ? resolved.contact
      : contactWithNumber(classified.e164, speakerOf(request), context.contacts);
  return { ...classified, contact };
};

/** Whether this caller may reach this destination; emergency numbers are reachable by anyone. */
const refusal = (request: CallRouting, context: RoutingContext, destination: Destination): RejectionReason | null => {
  if (destination.class === 'emergency') return null;
  if (!request.verified) return speakerReason(request);
  if (!context.member) return 'not_permitted';
  const permission = permitsCall(
    context.member.grants,
    destination.class,
    destination.contact !== null,
    request.assurance ?? 'standard',
    destination.abroad === true,
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
      location: context.device?.location ?? null,
    },
  }));

/**
 * Routing's decision for a call handed over by calls (CallRouting): resolve and classify the
 * target, apply the speaker's grants, then the outbound limits (a call they allow but a limit
 * does not is `rate_limited`). An emergency call routes even unverified, whatever the limits, and
 * notifies every owner. An account or device routing does not know (CallRouter first waits a
 * moment for its registry to learn of them; this is the decider's own guard), or anything else not allowed,
 * is a DestinationRejected with a stable reason: Kafka input is never trusted to place a call.
 */
export const planRoute = (request: CallRouting, context: RoutingContext, metering: Metering): RouteEvent[] => {
  const { account } = context;
  if (!account) return rejected(request.callId, 'unknown_account');
  if (!context.device) return rejected(request.callId, 'unlinked_device');
  const destination = destinationOf(request, context, account.address.country);
  if (typeof destination === 'string') return rejected(request.callId, destination);
  const reason = refusal(request, context, destination);
  if (reason) return rejected(request.callId, reason, destination.class);
  if (exceededLimit(destination.class, metering)) return rejected(request.callId, 'rate_limited', destination.class);

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
    ...(emergency ? emergencyNotices(request, account, context, destination.e164) : []),
  ];
};
