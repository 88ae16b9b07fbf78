import type { IntegrationEvent } from '@homeline/contracts';
import { readStreams, UnitOfWork, type Clock, type IdGenerator } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import { redialLeg, type CarrierLegEvent } from '../domain';
import type { CallLeg, CarrierLegs } from './ports';
import { beforeDeadline, noTrace, openLegs, type LegToOpen, type TraceOf } from './route-calls';
import { legStreamId, type LegCommands } from './streams';

export type RedialRequest = IntegrationEvent<'EmergencyRedialRequested'>;

/**
 * calls asks for an emergency call's failed leg to be dialled again (docs/architecture.md section
 * 1): a new leg with what the call's legs asked for, recorded and queued in the batch's transaction
 * like a routed call's, and placed first (the dispatcher claims emergency placements ahead of the
 * rest). It comes on calls' topic in the call's order, so a call's end that follows it releases the
 * new leg too; a request for a call that has a live leg, or was never an emergency call, dials
 * nothing (domain/emergency-redial.ts), and a redial asked for twice opens one leg (one row per
 * redial of a call in carrier_legs).
 */
export class EmergencyRedials {
  constructor(
    private readonly legs: CarrierLegs,
    private readonly legCommands: LegCommands,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async redial(tx: EntityManager, requests: readonly RedialRequest[], traceOf: TraceOf = noTrace): Promise<void> {
    const now = this.clock.now();
    // Past its deadline calls has failed the call: a leg now would ring the emergency services for nobody.
    const events = beforeDeadline(requests, now);
    if (events.length === 0) return;
    const causeOf = new Map(events.map((e) => [e.data.callId, e]));
    const legs = await this.legs.ofCalls(tx, [...causeOf.keys()]);
    const streams = await readStreams(tx, legs.map((l) => legStreamId(l.legId)));
    const legEvents = (leg: CallLeg) => (streams.get(legStreamId(leg.legId))?.events ?? []) as unknown as CarrierLegEvent[];
    const opening = [...causeOf.values()].flatMap((cause): LegToOpen[] => {
      const own = legs.filter((l) => l.callId === cause.data.callId);
      const leg = redialLeg(own.map(legEvents), this.ids.next());
      if (!leg) return [];
      const [{ accountId, deviceId }] = own;
      return [{ leg, causeId: cause.id, accountId, deviceId, class: 'emergency', redial: cause.data.attempt }];
    });
    if (opening.length === 0) return;
    const uow = new UnitOfWork(tx);
    await openLegs({ legCommands: this.legCommands, legs: this.legs }, uow, opening, now, traceOf);
    await uow.commit();
  }
}
