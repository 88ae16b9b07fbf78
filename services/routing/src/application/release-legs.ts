import type { IntegrationEvent } from '@homeline/contracts';
import type { Clock } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import type { CarrierLegs, HouseholdDirectory } from './ports';
import { noTrace, type TraceOf } from './route-calls';
import { legStreamId, type LegCommands } from './streams';

export type CallOver = IntegrationEvent<'CallEnded' | 'CallFailed'>;

/**
 * The calls are over (CallEnded, CallFailed): every carrier leg of theirs still up ends, released
 * by us, in the batch's transaction, and its placement is dropped or a hang-up queued; the
 * carrier hears of it after commit. A leg already over stays as it was (the decider says so).
 * None of them counts toward the line's concurrent calls any more. An emergency call's end starts
 * its household's call-back window again (docs/architecture.md section 6.1: the 60 minutes after
 * the last emergency call; a call-taker calls back after the call drops, however long it lasted).
 */
export class LegReleaser {
  constructor(
    private readonly legs: CarrierLegs,
    private readonly legCommands: LegCommands,
    private readonly clock: Clock,
    private readonly directory: Pick<HouseholdDirectory, 'recordEmergencyCalls'>,
  ) {}

  async release(tx: EntityManager, events: readonly CallOver[], traceOf: TraceOf = noTrace): Promise<void> {
    if (events.length === 0) return;
    const causeOf = new Map(events.map((e) => [e.data.callId, e]));
    const legs = await this.legs.ofCalls(tx, [...causeOf.keys()]);
    if (legs.length === 0) return;
    const now = this.clock.now();
    const outcomes = await this.legCommands.handleAll(
      tx,
      legs.map((leg) => ({
        streamId: legStreamId(leg.legId),
        commands: [{ type: 'ReleaseLeg', legId: leg.legId, now: now.toISOString() }],
        metadata: { causationId: causeOf.get(leg.callId)!.id, accountId: leg.accountId, now, traceparent: traceOf(causeOf.get(leg.callId)!.id) },
      })),
    );
    const released = legs.filter((_, i) => outcomes[i].newEvents.length > 0).map((leg) => leg.legId);
    // Every leg of a call that is over stops counting toward the line's concurrent calls, also one the
    // carrier ended or gave up on before (calls says the call is over after those too).
    await this.legs.stop(tx, { over: legs.map((leg) => leg.legId), released });
    // When the call ended, as calls says (not when this consumer got to it: a lag would stretch the window).
    for (const leg of legs.filter((l) => l.emergency)) {
      await this.directory.recordEmergencyCalls(tx, [leg.accountId], new Date(causeOf.get(leg.callId)!.occurredAt));
    }
  }
}
