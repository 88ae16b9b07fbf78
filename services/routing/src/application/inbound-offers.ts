import { runInTransaction, type Clock, type IdGenerator } from '@homeline/event-store';
import type { DataSource } from 'typeorm';
import { carrierInstructionFor, type InboundCallEvent, type OfferInboundCall, type VoicemailReason } from '../domain';
import type { InboundCalls } from './inbound.ports';
import type { HouseholdDirectory } from './ports';
import { inboundLegId, inboundStreamId, type InboundCommands } from './streams';

/** The carrier's inbound webhook, validated and authenticated at the edge. */
export interface InboundOffer {
  readonly carrierCallId: string;
  /** E.164, or 'anonymous'. */
  readonly from: string;
  readonly to: string;
  readonly sensitive: boolean;
}

export type OfferOutcome =
  /**
   * A new inbound call: ringing, or declined (and sent to voicemail) for `declined`, or `missed`:
   * its caller hung up before it was recorded.
   */
  | { readonly kind: 'offered'; readonly callId: string; readonly declined: VoicemailReason | null; readonly missed: boolean }
  /** The carrier delivered this webhook before: the same call, nothing decided twice. */
  | { readonly kind: 'repeated'; readonly callId: string }
  | { readonly kind: 'unknown_line' }
  /** The carrier call id already names one of our outbound legs. */
  | { readonly kind: 'carrier_call_in_use' };

export interface InboundOffersDeps {
  readonly dataSource: DataSource;
  readonly directory: HouseholdDirectory;
  readonly calls: InboundCalls;
  readonly commands: InboundCommands;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly emergencyCallbackWindowMinutes: number;
  /** Told of every inbound event decided (metrics). */
  readonly onDecided?: (events: readonly InboundCallEvent[]) => void;
}

/**
 * Opens an inbound call from the carrier's webhook, in one transaction: the line's household from
 * routing's projection, the inbound call decider's offer and fan-out on `inbound-<callId>`, the
 * carrier call recorded (so a retried webhook finds it), and, when policy declined the call, the
 * carrier's voicemail request queued. The carrier is called only after this commits. A hang-up the
 * carrier sent before this offer (InboundCallbacks holds it) makes it a missed call.
 */
export class InboundOffers {
  constructor(private readonly deps: InboundOffersDeps) {}

  async offer(request: InboundOffer): Promise<OfferOutcome> {
    let decided: readonly InboundCallEvent[] = [];
    const outcome = await runInTransaction(this.deps.dataSource, async (tx): Promise<OfferOutcome> => {
      decided = [];
      const { calls, directory, commands, clock, ids } = this.deps;
      await calls.lockCarrierCall(tx, request.carrierCallId);
      const known = await calls.byCarrierCall(tx, request.carrierCallId);
      if (known) return seenBefore(known);
      const line = await directory.lineOf(tx, request.to, request.from);
      if (!line) return { kind: 'unknown_line' };
      const callId = ids.next();
      const record = { callId, accountId: line.accountId, carrierCallId: request.carrierCallId, legId: inboundLegId(callId) };
      // First, so that of two deliveries of one webhook at once, the later waits here and then finds the earlier's call.
      if (!(await calls.open(tx, record))) {
        const earlier = await calls.byCarrierCall(tx, request.carrierCallId);
        return earlier ? seenBefore(earlier) : { kind: 'carrier_call_in_use' };
      }
      const now = clock.now();
      const command: OfferInboundCall = {
        type: 'OfferInboundCall',
        callId,
        carrierCallId: request.carrierCallId,
        from: request.from,
        to: request.to,
        carrierSensitive: request.sensitive,
        line,
        emergencyCallbackWindowMinutes: this.deps.emergencyCallbackWindowMinutes,
        callerGone: await calls.callerHungUp(tx, request.carrierCallId),
        now: now.toISOString(),
      };
      const { newEvents, state } = await commands.handle(tx, {
        streamId: inboundStreamId(callId),
        commands: [command],
        metadata: { correlationId: callId, accountId: line.accountId, now },
      });
      const instruction = carrierInstructionFor(command, state, newEvents);
      if (instruction) await calls.instruct(tx, [{ record, instruction }]);
      decided = newEvents;
      return { kind: 'offered', callId, declined: instruction?.action === 'voicemail' ? instruction.reason : null, missed: command.callerGone };
    });
    // Once committed: a try that lost a race and ran again decided its events once.
    if (decided.length > 0) this.deps.onDecided?.(decided);
    return outcome;
  }
}

const seenBefore = (known: { direction: 'inbound' | 'outbound'; callId: string }): OfferOutcome =>
  known.direction === 'inbound' ? { kind: 'repeated', callId: known.callId } : { kind: 'carrier_call_in_use' };
