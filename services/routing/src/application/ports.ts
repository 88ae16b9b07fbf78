import type { Address, CallGrant, DestinationClass, DeviceLocation, EventData, MemberRole } from '@homeline/contracts';
import type { Companion } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import type { CallUsage, Contact, InboundLine } from '../domain';
import type { CarrierLegOrder, CarrierStatusCallback, LegStatusCallback, VoicemailReason } from './carrier.port';

/**
 * Routing's own tables, as the application needs them; the SQL lives in edges/sql. Every method
 * taking `tx` works inside the caller's transaction, and each is one round trip however many
 * rows it touches.
 */

/** What routing knows about a caller's household, from its projection of identity's registry. */
export interface Household {
  readonly accountId: string;
  readonly msisdn: string;
  readonly address: Address;
  readonly members: readonly {
    readonly memberId: string;
    readonly role: MemberRole;
    readonly grants: readonly CallGrant[];
  }[];
  /** All of the account's contacts; the domain decides which of them a speaker may reach. */
  readonly contacts: readonly Contact[];
  /** The calling device, when it is linked to this account. */
  readonly device: { readonly location: DeviceLocation | null } | null;
}

export interface Caller {
  readonly accountId: string;
  readonly deviceId: string;
}

/** The identity events routing projects, by type. */
export const registryEventTypes = [
  'AccountOpened',
  'AccountClosed',
  'MemberAdded',
  'MemberPermissionsChanged',
  'MemberRemoved',
  'DeviceLinked',
  'DeviceUnlinked',
  'ContactAdded',
  'AwayModeChanged',
  'QuietHoursChanged',
] as const;
export type RegistryEventType = (typeof registryEventTypes)[number];

/** Consecutive registry events of one type, applied as one write: each event's data, and when it occurred (a device's link is ordered by it). */
export type RegistryRun = {
  [T in RegistryEventType]: { readonly type: T; readonly rows: readonly (EventData<T> & { readonly occurredAt: string })[] };
}[RegistryEventType];

/** A caller as a call names them: the speaker verified, when one was. */
export interface ForgettableCaller extends Caller {
  readonly memberId: string | null;
}

export interface HouseholdDirectory {
  /** The callers' households; a caller whose account routing does not know is absent. */
  find(tx: EntityManager, callers: readonly Caller[]): Promise<(caller: Caller) => Household | undefined>;
  /**
   * For each caller, whether identity said in the last day that its account, its speaker's link to
   * it or its speaker (member) is gone: routing does not wait for them to appear.
   */
  forgotten(tx: EntityManager, callers: readonly ForgettableCaller[]): Promise<readonly boolean[]>;
  apply(tx: EntityManager, run: RegistryRun): Promise<void>;
  /**
   * The account whose line `to` is, with its contacts whose number is `from`; absent when no account
   * has it. The household stays locked against an unlink's InboundCalls.mayRing until the transaction ends.
   */
  lineOf(tx: EntityManager, to: string, from: string): Promise<InboundLine | undefined>;
  /** These households placed an emergency call at `at` (an inbound call after it may be the call-back). */
  recordEmergencyCalls(tx: EntityManager, accountIds: readonly string[], at: Date): Promise<void>;
}

/**
 * What the outbound limits count (docs/architecture.md section 6.2). The carrier legs are the
 * ledger: a routed call's leg row is written in the transaction that decided it (CarrierLegs.open),
 * so a decision rolled back or a batch retried counts nothing, and nothing counts twice.
 */
export interface CallUsageStore {
  /**
   * Takes the callers' accounts' limit locks for the rest of the transaction — deciders of one
   * account, on any replica, take turns — then reads each caller's usage as the previous holder
   * committed it: outbound legs routed since `rateSince` (the device's, the account's), international
   * and premium ones since `budgetSince`, and the account's legs not yet over. One round trip.
   */
  lockAndRead(
    tx: EntityManager,
    callers: readonly Caller[],
    since: { readonly rateSince: Date; readonly budgetSince: Date },
  ): Promise<(caller: Caller) => CallUsage | undefined>;
}

/** A routed call's new carrier leg, with what the limits count of it. */
export interface NewLeg {
  readonly accountId: string;
  readonly deviceId: string;
  readonly class: DestinationClass;
  /** When it was routed: the rate and budget windows count from here. */
  readonly routedAt: Date;
  /** Which redial of an emergency call it is (absent: the call's first leg); one leg per redial. */
  readonly redial?: number;
  readonly order: CarrierLegOrder;
}

/** A carrier leg as routing tracks it beside its stream. */
export interface LegRecord {
  readonly legId: string;
  readonly callId: string;
  readonly accountId: string;
  /** The carrier's id for the leg, once the carrier or a callback named it. */
  readonly carrierCallId: string | null;
  /** The highest carrier sequence applied to the leg (null: none yet). */
  readonly appliedSequence: number | null;
}

/** An outbound leg of a call, as the call's release and an emergency redial read it. */
export type CallLeg = LegRecord & { readonly emergency: boolean; readonly deviceId: string };

export interface CarrierLegs {
  /** Records new legs and queues their placement, in the transaction that decided them. */
  open(tx: EntityManager, legs: readonly NewLeg[]): Promise<void>;
  /** The outbound legs of these calls, whether each was an emergency call's, and the device that placed it. */
  ofCalls(tx: EntityManager, callIds: readonly string[]): Promise<CallLeg[]>;
  /**
   * The calls of the `over` legs are over: none of them counts as live any more (the concurrent-call
   * cap). Of the `released` ones (just released by us), a placement not in flight none of whose
   * tries may have been carried out by the carrier is dropped; otherwise a hang-up is queued behind
   * it (it may have reached the carrier, or may be reaching it now).
   */
  stop(tx: EntityManager, legs: { readonly over: readonly string[]; readonly released: readonly string[] }): Promise<void>;
  /**
   * The leg each callback is about (undefined: no outbound leg of ours), and whether its (carrier
   * call, status, sequence) was seen before; one read for the lot, in the callbacks' order.
   */
  forCallbacks(
    tx: EntityManager,
    callbacks: readonly LegStatusCallback[],
  ): Promise<({ leg: LegRecord; seen: boolean } | undefined)[]>;
  /**
   * The writes that record callbacks as seen (a second copy racing one of them fails on its key
   * and is retried, then found seen); an applied one also moves the applied sequence of the row
   * `legId` names (an outbound leg, or the carrier call of an inbound call), and `ended` says the
   * leg is over (it stops counting toward the concurrent-call cap). At most one callback per leg.
   */
  recordCallbacks(records: readonly RecordedCallback[]): Companion[];
  /**
   * The write that queues a hang-up for each of these legs, whose placement was given up but which
   * a callback just named (the carrier placed it after all): with the callbacks' records, which give
   * each leg its carrier call.
   */
  hangUpPlacedAfterAll(legIds: readonly string[]): Companion;
}

export interface RecordedCallback {
  readonly callback: CarrierStatusCallback & { readonly legId: string };
  readonly applied: boolean;
  readonly ended: boolean;
}

interface Claimed {
  readonly requestId: string;
  readonly legId: string;
  readonly callId: string;
  readonly accountId: string;
  /** Failed attempts so far. */
  readonly attempts: number;
  /** This claim's token: only its holder may complete or reschedule the request. */
  readonly claim: string;
}

/** A request to the carrier, claimed by one dispatcher for a lease. */
export type ClaimedRequest =
  | (Claimed & { readonly action: 'place'; readonly order: CarrierLegOrder })
  | (Claimed & { readonly action: 'hang_up'; readonly carrierCallId: string | null })
  /** Inbound calls: connect the caller to the device that answered, or send the caller to voicemail. */
  | (Claimed & { readonly action: 'bridge'; readonly carrierCallId: string; readonly deviceId: string })
  | (Claimed & { readonly action: 'voicemail'; readonly carrierCallId: string; readonly reason: VoicemailReason });

export interface CarrierRequests {
  /**
   * Claims up to `limit` due requests for `leaseMs`, in a statement of its own, and says in how
   * many ms the next unclaimed one is due (null: none queued). A leg's requests are claimed in
   * order. A claim is held by the PostgreSQL session `holderPid` (null: by nobody in particular):
   * a crashed dispatcher's claims are taken over as soon as its session is gone, or else when
   * their lease expires. Emergency placements come first; `emergencyOnly` claims (and times) only
   * those (while the carrier's circuit is open, or the slots for the rest are full).
   */
  claim(
    limit: number,
    leaseMs: number,
    claim: string,
    holderPid: number | null,
    emergencyOnly?: boolean,
  ): Promise<{ claimed: ClaimedRequest[]; nextDueInMs: number | null }>;
  /** The carrier accepted the placement: remember its id for the leg, and the request is done. */
  placed(request: ClaimedRequest, carrierCallId: string): Promise<void>;
  done(tx: EntityManager, request: ClaimedRequest): Promise<void>;
  /**
   * Releases the claim and makes the request due again after `delayMs`, one attempt more;
   * `carriedOut` when the try may have been carried out by the carrier (a placement none of whose
   * tries may have been is dropped when its call ends, see CarrierLegs.stop).
   */
  retryLater(request: ClaimedRequest, delayMs: number, carriedOut: boolean): Promise<void>;
}
