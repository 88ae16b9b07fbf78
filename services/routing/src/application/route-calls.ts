import { dispatchableOf, emergencyNumberFor, type CallRouting, type DestinationClass, type IntegrationEvent } from '@homeline/contracts';
import { TransientFailure, UnitOfWork, type Clock, type IdGenerator } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import {
  budgetWindowMs,
  legRequestFor,
  rateWindowMs,
  type CallLimits,
  type CallUsage,
  type RequestLeg,
  type RouteCall,
  type RouteEvent,
  type RoutingContext,
} from '../domain';
import { meteredRouteDecider, UsageLedger } from './call-metering';
import type { CarrierLegOrder } from './carrier.port';
import type { CallUsageStore, Caller, CarrierLegs, Household, HouseholdDirectory } from './ports';
import { legStreamId, routeCommands, routeStreamId, type LegCommands } from './streams';

export interface CallRouterDeps {
  readonly directory: HouseholdDirectory;
  readonly usage: CallUsageStore;
  readonly legs: CarrierLegs;
  readonly legCommands: LegCommands;
  readonly limits: CallLimits;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Told of every routing event decided, once its transaction has committed (metrics). */
  readonly onDecided?: (events: readonly RouteEvent[]) => void;
  /** Told of the calls handed over after their deadline, which are not routed (a log line). */
  readonly onLate?: (events: readonly IntegrationEvent<'CallRouting'>[]) => void;
}

/**
 * How long after calls handed a call over routing waits for its projection of identity's registry
 * to know the call's account, device and verified speaker (a speaker linked, or a member added, a
 * moment before the first call: routing reads identity's topic apart from calls'). Past it, the
 * call is decided on what the registry knows, and refused if it knows too little.
 */
export const registryWaitMs = 5_000;

/** The W3C trace context a consumed event was published in, by event id. */
export type TraceOf = (eventId: string) => string | null;
export const noTrace: TraceOf = () => null;

/**
 * Runs a hook once the transaction commits, never if it fails (the inbox consumer's afterCommit):
 * a batch that fails is applied again, and what it tells (metrics) must count once, not per try.
 */
export type AfterCommit = (hook: () => void) => void;
/** For a caller with no commit to wait for. */
export const atOnce: AfterCommit = (hook) => hook();

/**
 * Routes the calls that calls handed over, a consumer batch at a time, in the batch's
 * transaction: one read of the callers' households (a call whose household the registry does not
 * know yet waits for it, awaitRegistry); unless every call is an emergency call, one
 * statement that takes the accounts' limit locks and reads their usage; one read of the calls'
 * routes; one statement recording and queueing the legs asked for — the rows the limits count; one
 * append of all decisions, metered in order (call-metering.ts), with the legs' first events. The
 * carrier is called only after this commits (CarrierWork).
 */
export class CallRouter {
  constructor(private readonly deps: CallRouterDeps) {}

  /** `traceOf` gives the trace each consumed event was published in: its effects continue it. */
  async route(
    tx: EntityManager,
    consumed: readonly IntegrationEvent<'CallRouting'>[],
    traceOf: TraceOf = noTrace,
    afterCommit: AfterCommit = atOnce,
  ): Promise<void> {
    if (consumed.length === 0) return;
    const { clock, ids, limits } = this.deps;
    const now = clock.now();
    const events = this.live(consumed, now);
    if (events.length === 0) return;
    const householdOf = await this.deps.directory.find(
      tx,
      events.map((e) => e.data),
    );
    await awaitRegistry(tx, this.deps.directory, events, householdOf, now);
    const ledger = new UsageLedger(await this.storedUsage(tx, events, householdOf, now));
    // Built as each call comes up for decision, so that its metering includes the calls decided before it.
    const commands: RouteCall[] = [];
    // The decisions and the legs' first events are written together, in one statement, when the unit commits.
    const uow = new UnitOfWork(tx);
    const outcomes = await routeCommands(meteredRouteDecider(ledger)).stage(
      uow,
      events.map((e, i) => ({
        streamId: routeStreamId(e.data.callId),
        commands: () => [
          (commands[i] = {
            type: 'RouteCall',
            request: e.data,
            context: routingContext(e.data, householdOf(e.data)),
            legId: ids.next(),
            metering: { limits, usage: ledger.usageOf(e.data) },
          }),
        ],
        metadata: { correlationId: e.data.callId, causationId: e.id, accountId: e.data.accountId, now, traceparent: traceOf(e.id) },
      })),
    );
    const routed = outcomes.flatMap((outcome, i): LegToOpen[] => {
      const leg = legRequestFor(commands[i], outcome.newEvents);
      const resolved = outcome.newEvents.find((e) => e.type === 'DestinationResolved');
      const { id: causeId, data } = events[i];
      return leg && resolved?.type === 'DestinationResolved'
        ? [{ leg, causeId, accountId: data.accountId, deviceId: data.deviceId, class: resolved.data.class }]
        : [];
    });
    await openLegs(this.deps, uow, routed, now, traceOf);
    const decided = outcomes.flatMap((o) => o.newEvents);
    await this.recordEmergencyCalls(tx, decided, now);
    if (decided.length > 0) await uow.commit(); // a redelivered CallRouting decides nothing: no statement
    afterCommit(() => this.deps.onDecided?.(decided));
  }

  /**
   * The calls whose deadline has not passed. calls has failed the others (`timeout`) and told the
   * household so: a leg placed now, after a lag of this consumer, would ring someone for a call
   * nobody is on — an emergency call too.
   */
  private live(events: readonly IntegrationEvent<'CallRouting'>[], now: Date): readonly IntegrationEvent<'CallRouting'>[] {
    const live = beforeDeadline(events, now);
    if (live.length < events.length) this.deps.onLate?.(events.filter((e) => !live.includes(e)));
    return live;
  }

  /**
   * What the callers have used of the limits, read under their accounts' locks. A batch of
   * emergency calls only, which no limit applies to, waits for no lock and reads nothing.
   */
  private async storedUsage(
    tx: EntityManager,
    events: readonly IntegrationEvent<'CallRouting'>[],
    householdOf: (caller: Caller) => Household | undefined,
    now: Date,
  ): Promise<(caller: Caller) => CallUsage | undefined> {
    const known = events.map((e) => e.data).filter((request) => householdOf(request) !== undefined);
    const metered = known.some((request) => emergencyNumberFor(request.target, householdOf(request)!.address.country) === null);
    if (!metered) return () => undefined;
    return this.deps.usage.lockAndRead(tx, known, {
      rateSince: new Date(now.getTime() - rateWindowMs),
      budgetSince: new Date(now.getTime() - budgetWindowMs),
    });
  }

  /** For an inbound call soon after it, which may be the emergency services calling back (section 6.1). */
  private async recordEmergencyCalls(tx: EntityManager, decided: readonly RouteEvent[], now: Date): Promise<void> {
    const households = decided.flatMap((e) =>
      e.type === 'DestinationResolved' && e.data.class === 'emergency' ? [e.data.accountId] : [],
    );
    if (households.length > 0) await this.deps.directory.recordEmergencyCalls(tx, [...new Set(households)], now);
  }
}

/** A leg to ask of the carrier: the request, the event that caused it, the line, device and class it counts against. */
export interface LegToOpen {
  readonly leg: RequestLeg;
  readonly causeId: string;
  readonly accountId: string;
  readonly deviceId: string;
  readonly class: DestinationClass;
  /** Which redial of an emergency call it is (absent: the call's first leg). */
  readonly redial?: number;
}

/**
 * Starts each leg's stream with its request and records and queues the leg for the dispatcher, in
 * the unit of work that decided it: a routed call's first leg, or an emergency call's redial.
 */
export const openLegs = async (
  { legCommands, legs }: { readonly legCommands: LegCommands; readonly legs: CarrierLegs },
  uow: UnitOfWork,
  opening: readonly LegToOpen[],
  now: Date,
  traceOf: TraceOf,
): Promise<void> => {
  if (opening.length === 0) return;
  await legCommands.stage(
    uow,
    opening.map(({ leg, causeId, accountId }) => ({
      streamId: legStreamId(leg.legId),
      commands: [leg],
      isNew: true, // a leg id minted for this leg (ids.next()): nothing to read; the append still checks the stream is empty
      metadata: { causationId: causeId, accountId, now, traceparent: traceOf(causeId) },
    })),
  );
  await legs.open(
    uow.reads,
    opening.map(({ leg, causeId, accountId, deviceId, class: destination, redial }) => ({
      accountId,
      deviceId,
      class: destination,
      routedAt: now,
      redial,
      order: orderOf(leg, traceOf(causeId)),
    })),
  );
};

/** The events whose deadline (calls') has not passed: calls has failed the calls of the others. */
export const beforeDeadline = <E extends { readonly data: { readonly deadline: string } }>(events: readonly E[], now: Date): E[] =>
  events.filter((e) => Date.parse(e.data.deadline) > now.getTime());

/** What the carrier is asked to place for a leg. */
const orderOf = (leg: RequestLeg, traceparent: string | null): CarrierLegOrder => ({
  traceparent,
  legId: leg.legId,
  callId: leg.callId,
  e164: leg.e164,
  callerId: leg.callerId,
  emergency: leg.emergency,
  ...(leg.emergency && leg.address ? { dispatchable: dispatchableOf(leg.address, leg.location ?? null) } : {}),
});

/**
 * A call whose account, device or verified speaker routing's registry does not know yet, handed
 * over less than registryWaitMs ago, is not refused: calls and identity knew them, so the registry
 * lags. The batch fails as transient and the consumer tries it again with backoff, until the
 * registry has caught up or the wait is over ("911" from a speaker linked a second ago connects).
 * The call's end comes after it on the same partition, so nothing is placed for a call that ended.
 */
const awaitRegistry = async (
  tx: EntityManager,
  directory: HouseholdDirectory,
  events: readonly IntegrationEvent<'CallRouting'>[],
  householdOf: (caller: Caller) => Household | undefined,
  now: Date,
): Promise<void> => {
  const unknown = events.filter((e) => !knows(e.data, householdOf(e.data)) && now.getTime() - Date.parse(e.occurredAt) < registryWaitMs);
  if (unknown.length === 0) return;
  // Gone, on identity's word, is not "not yet": a call from a speaker unlinked (or a member removed) a
  // moment ago is refused at once, and the rest of its batch, an emergency call among them, is not held up.
  const forgotten = await directory.forgotten(tx, unknown.map((e) => e.data));
  const waiting = unknown.filter((_e, i) => !forgotten[i]);
  if (waiting.length > 0) {
    const [{ data }] = waiting;
    throw new TransientFailure(
      `routing's registry does not know yet the account ${data.accountId}, device ${data.deviceId} or speaker of call ${data.callId}` +
        (waiting.length > 1 ? ` (and ${waiting.length - 1} more)` : ''),
    );
  }
};

/** Whether routing's registry knows the call's account, device and verified speaker. */
const knows = (request: CallRouting, household: Household | undefined): boolean =>
  household?.device != null &&
  (!request.verified || request.memberId === null || household.members.some((m) => m.memberId === request.memberId));

/** The household as the domain reads it: only a verified speaker's grants count. */
const routingContext = (request: CallRouting, household: Household | undefined): RoutingContext => {
  if (!household) return { account: null, member: null, device: null, contacts: [] };
  const speaker = request.verified ? household.members.find((m) => m.memberId === request.memberId) : undefined;
  return {
    account: {
      accountId: household.accountId,
      msisdn: household.msisdn,
      address: household.address,
      ownerMemberIds: household.members.filter((m) => m.role === 'owner').map((m) => m.memberId),
    },
    member: speaker ? { memberId: speaker.memberId, grants: speaker.grants } : null,
    device: household.device,
    contacts: household.contacts,
  };
};
