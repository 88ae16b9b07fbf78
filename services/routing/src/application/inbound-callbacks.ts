import { runInTransaction, runUnitOfWork, type Clock } from '@homeline/event-store';
import type { DataSource } from 'typeorm';
import type { InboundCallEvent } from '../domain';
import type { CallbackOutcome } from './carrier-callbacks';
import type { CarrierStatusCallback } from './carrier.port';
import type { InboundCalls } from './inbound.ports';
import type { CarrierLegs } from './ports';
import { inboundStreamId, type InboundCommands } from './streams';

/**
 * A status callback about an inbound call (no legId), as one unit of work: dedupe on (carrierCallId,
 * status, sequence) as for legs, then the caller hanging up — `canceled` while it rings,
 * `completed` once bridged — is the inbound decider's AbandonCall: InboundCallAbandoned (calls ends
 * the call) and every device still ringing cancelled at once, without waiting for calls. Other
 * statuses of an inbound call change nothing here (calls' answer decides the rest).
 */
export class InboundCallbacks {
  constructor(
    private readonly dataSource: DataSource,
    private readonly calls: InboundCalls,
    private readonly legs: CarrierLegs,
    private readonly commands: InboundCommands,
    private readonly clock: Clock,
    private readonly onDecided?: (events: readonly InboundCallEvent[]) => void,
  ) {}

  async apply(callback: CarrierStatusCallback): Promise<CallbackOutcome> {
    const outcome = await this.applyToOffered(callback);
    // Only `canceled` can come before the offer: `completed` follows a bridge, which follows the offer.
    return outcome === 'unknown_call' && callback.status === 'canceled' ? this.holdForOffer(callback) : outcome;
  }

  /**
   * The caller hung up before routing recorded the offer (the carrier's `canceled` overtook its
   * webhook, whose transaction had not committed): it is kept for the offer, which then
   * rings nothing (inbound-offers.ts). Under the carrier call's lock, so that the offer either
   * committed before this looks again or finds what this keeps.
   */
  private async holdForOffer(callback: CarrierStatusCallback): Promise<CallbackOutcome> {
    const held = await runInTransaction(this.dataSource, async (tx) => {
      await this.calls.lockCarrierCall(tx, callback.carrierCallId);
      if (await this.calls.forCallback(tx, callback)) return 'offered_meanwhile';
      return this.calls.holdHangUp(tx, callback);
    });
    if (held === 'offered_meanwhile') return this.applyToOffered(callback);
    return held === 'in_use' ? 'unknown_call' : held;
  }

  private applyToOffered(callback: CarrierStatusCallback): Promise<CallbackOutcome> {
    return runUnitOfWork(this.dataSource.manager, async (uow) => {
      const found = await this.calls.forCallback(uow.reads, callback);
      if (!found) return 'unknown_call';
      if (found.seen) return 'duplicate';
      const { call } = found;
      let decided: readonly InboundCallEvent[] = [];
      // `completed` after our own hang-up is the carrier confirming it, not the caller leaving.
      if (callback.status === 'canceled' || (callback.status === 'completed' && !found.releasedByUs)) {
        [{ newEvents: decided }] = await this.commands.stage(uow, [{
          streamId: inboundStreamId(call.callId),
          commands: [{ type: 'AbandonCall', carrierCallId: callback.carrierCallId, sipCode: callback.sipCode, q850: callback.q850 }],
          metadata: { accountId: call.accountId, now: this.clock.now() },
        }]);
      }
      // An inbound call's carrier call is no outbound leg: the concurrent-call cap never counts it.
      for (const write of this.legs.recordCallbacks([{ callback: { ...callback, legId: call.legId }, applied: decided.length > 0, ended: false }])) uow.also(write);
      uow.onCommitted(() => this.onDecided?.(decided));
      return decided.length > 0 ? 'applied' : 'ignored';
    });
  }
}
