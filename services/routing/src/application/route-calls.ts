import { emergencyNumberFor, type CallRouting, type DestinationClass, type IntegrationEvent } from '@homeline/contracts';
import { UnitOfWork, type Clock, type IdGenerator } from '@homeline/event-store';
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
import type { CallUsageStore, Caller, CarrierLegs, Household, HouseholdDirectory, ParkedRoutes } from './ports';
import { legStreamId, routeCommands, routeStreamId, type LegCommands } from './streams';

export interface CallRouterDeps {
  readonly directory: HouseholdDirectory;
  readonly usage: CallUsageStore;
  readonly legs: CarrierLegs;
  readonly legCommands: LegCommands;
  readonly parked: ParkedRoutes;
  readonly limits: CallLimits;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Told of every routing event decided (metrics). */
  readonly onDecided?: (events: readonly RouteEvent[]) => void;
  /** Told of the calls not decided now, and why (a log line). */
  readonly onSetAside?: (events: readonly IntegrationEvent<'CallRouting'>[], why: SetAside) => void;
}

/** Why a handed-over call is not decided now: it waits for the registry, or calls has given up on it. */
export type SetAside = 'waits_for_registry' | 'past_deadline';

/** A call still parked this long after calls handed it over is past every deadline of calls: it is forgotten. */
export const parkedForAtMostMs = 10 * 60_000;

/** The W3C trace context a consumed event was published in, by event id. */
export type TraceOf = (eventId: string) => string | null;
export const noTrace: TraceOf = () => null;

type Routed = { readonly leg: RequestLeg; readonly class: DestinationClass; readonly cause: IntegrationEvent<'CallRouting'> };

/**
 * Routes the calls that calls handed over, a consumer batch at a time, in the batch's
 * transaction: one read of the callers' households (a call whose household the registry does not
 * know yet is parked, below); unless every call is an emergency call, one
 * statement that takes the accounts' limit locks and reads their usage; one read of the calls'
 * routes; one statement recording and queueing the legs asked for — the rows the limits count; one
 * append of all decisions, metered in order (call-metering.ts), with the legs' first events. The
 * carrier is called only after this commits (CarrierWork).
 */
export class CallRouter {
  constructor(private readonly deps: CallRouterDeps) {}

  /** `traceOf` gives the trace each consumed event was published in: its effects continue it. */
  async route(tx: EntityManager, consumed: readonly IntegrationEvent<'CallRouting'>[], traceOf: TraceOf = noTrace): Promise<void> {
    if (consumed.length === 0) return;
    const { clock, ids, limits } = this.deps;
    const now = clock.now();
    const { events, householdOf } = await this.parkUnknown(tx, this.live(consumed, now), traceOf, now);
    if (events.length === 0) return;
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
    const routed = outcomes.flatMap((outcome, i): Routed[] => {
      const leg = legRequestFor(commands[i], outcome.newEvents);
      const resolved = outcome.newEvents.find((e) => e.type === 'DestinationResolved');
      return leg && resolved?.type === 'DestinationResolved' ? [{ leg, class: resolved.data.class, cause: events[i] }] : [];
    });
    await this.requestLegs(uow, routed, now, traceOf);
    const decided = outcomes.flatMap((o) => o.newEvents);
    await this.recordEmergencyCalls(tx, decided, now);
    if (decided.length > 0) await uow.commit(); // a redelivered CallRouting decides nothing: no statement
    this.deps.onDecided?.(decided);
  }

  /**
   * The calls whose deadline has not passed. calls has failed the others (`timeout`) and told the
   * household so: a leg placed now, after a lag of this consumer or a long wait for the registry,
   * would ring someone for a call nobody is on — an emergency call too.
   */
  private live(events: readonly IntegrationEvent<'CallRouting'>[], now: Date): readonly IntegrationEvent<'CallRouting'>[] {
    const live = events.filter((e) => Date.parse(e.data.deadline) > now.getTime());
    if (live.length < events.length) this.deps.onSetAside?.(events.filter((e) => !live.includes(e)), 'past_deadline');
    return live;
  }

  /**
   * Decides the parked calls whose households the registry now knows; the others stay parked. In
   * the transaction that applied new accounts, devices or members to the registry.
   */
  async resume(tx: EntityManager): Promise<void> {
    await this.deps.parked.lock(tx);
    const routes = await this.deps.parked.takeAll(tx);
    const traces = new Map(routes.map((r) => [r.event.id, r.traceparent]));
    await this.route(
      tx,
      routes.map((r) => r.event),
      (eventId) => traces.get(eventId) ?? null,
    );
  }

  /**
   * A call whose account, device or verified speaker routing's projection of identity's registry
   * does not know yet is parked, not refused: calls and identity knew them, so the registry lags (a
   * speaker linked, or a member added, a moment before the first call; routing reads identity's
   * topic apart from calls'). It is decided when the registry learns of them (resume), or
   * forgotten when the call ends: calls' own deadlines (5 s, 2 min for an emergency call) bound
   * the wait. Without this, "911" from a speaker linked a second ago was refused.
   */
  private async parkUnknown(
    tx: EntityManager,
    events: readonly IntegrationEvent<'CallRouting'>[],
    traceOf: TraceOf,
    now: Date,
  ): Promise<{ events: readonly IntegrationEvent<'CallRouting'>[]; householdOf: (caller: Caller) => Household | undefined }> {
    if (events.length === 0) return { events, householdOf: () => undefined };
    const { directory, parked } = this.deps;
    const first = await directory.find(
      tx,
      events.map((e) => e.data),
    );
    const unknown = events.filter((e) => !knows(e.data, first(e.data)));
    if (unknown.length === 0) return { events, householdOf: first };
    // Looked at again under the lock that the registry's updates take before they resume parked calls.
    await parked.lock(tx);
    const second = await directory.find(
      tx,
      unknown.map((e) => e.data),
    );
    const householdOf = (caller: Caller) => second(caller) ?? first(caller);
    const waiting = new Set(unknown.filter((e) => !knows(e.data, householdOf(e.data))));
    if (waiting.size > 0) {
      await parked.park(
        tx,
        [...waiting].map((event) => ({ event, traceparent: traceOf(event.id) })),
        new Date(now.getTime() - parkedForAtMostMs),
      );
      this.deps.onSetAside?.([...waiting], 'waits_for_registry');
    }
    return { events: events.filter((e) => !waiting.has(e)), householdOf };
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

  private async requestLegs(uow: UnitOfWork, routed: readonly Routed[], now: Date, traceOf: TraceOf): Promise<void> {
    if (routed.length === 0) return;
    await this.deps.legCommands.stage(
      uow,
      routed.map(({ leg, cause }) => ({
        streamId: legStreamId(leg.legId),
        commands: [leg],
        isNew: true, // a leg id minted for this decision (ids.next()): nothing to read; the append still checks the stream is empty
        metadata: { causationId: cause.id, accountId: cause.data.accountId, now, traceparent: traceOf(cause.id) },
      })),
    );
    await this.deps.legs.open(
      uow.reads,
      routed.map(({ leg, class: destination, cause }) => ({
        accountId: cause.data.accountId,
        deviceId: cause.data.deviceId,
        class: destination,
        routedAt: now,
        order: orderOf(leg, traceOf(cause.id)),
      })),
    );
  }
}

const orderOf = (leg: RequestLeg, traceparent: string | null): CarrierLegOrder => ({
  traceparent,
  legId: leg.legId,
  callId: leg.callId,
  e164: leg.e164,
  callerId: leg.callerId,
  emergency: leg.emergency,
  ...(leg.emergency && leg.address ? { dispatchable: { address: leg.address, location: leg.location ?? null } } : {}),
});

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
