import type { IntegrationEvent } from '@homeline/contracts';
import type { Clock } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import { carrierInstructionFor, type InboundCallCommand, type InboundCallEvent } from '../domain';
import type { InboundCallRecord, InboundCalls } from './inbound.ports';
import { atOnce, noTrace, type AfterCommit, type TraceOf } from './route-calls';
import { inboundStreamId, type InboundCommands } from './streams';

/** calls' verdicts on a call; routing acts on those about its inbound calls. */
export type CallVerdict = IntegrationEvent<'CallConnected' | 'CallFailed' | 'CallEnded' | 'CallRejected'>;

const commandFor = (event: CallVerdict): InboundCallCommand => {
  switch (event.type) {
    case 'CallConnected':
      return { type: 'BridgeAnsweredDevice', deviceId: event.data.deviceId };
    case 'CallFailed':
      return event.data.reason === 'no_answer' ? { type: 'RingOut' } : { type: 'EndInboundCall', cause: null };
    case 'CallEnded':
      return { type: 'EndInboundCall', cause: event.data.cause };
    case 'CallRejected':
      return { type: 'EndInboundCall', cause: null };
    default: {
      const unknown: never = event;
      throw new Error(`not a call verdict: ${(unknown as CallVerdict).type}`);
    }
  }
};

interface InboundStep {
  readonly record: InboundCallRecord;
  readonly command: InboundCallCommand;
  readonly causationId: string;
  readonly traceparent: string | null;
}

/**
 * Follows calls' verdicts on inbound calls, a consumer batch at a time in the batch's transaction
 * (docs/decisions.md section 3): the connected answer's device takes the call and the others stop
 * ringing, nobody answering or the call's end stops what still rings, and the carrier is asked to
 * bridge, send to voicemail or release. One read of which calls are inbound, one read and one
 * append of their streams, one statement queueing the carrier's requests, whatever the batch's size.
 * A CallAnswerRefused is not followed: the refused device keeps ringing, as calls lets it answer again.
 */
export class InboundProgress {
  constructor(
    private readonly calls: InboundCalls,
    private readonly commands: InboundCommands,
    private readonly clock: Clock,
    private readonly onDecided?: (events: readonly InboundCallEvent[]) => void,
  ) {}

  async follow(tx: EntityManager, events: readonly CallVerdict[], traceOf: TraceOf = noTrace, afterCommit: AfterCommit = atOnce): Promise<void> {
    const relevant = events.filter((e) => e.type !== 'CallConnected' || e.data.direction === 'inbound');
    if (relevant.length === 0) return;
    const records = await this.calls.ofCalls(tx, [...new Set(relevant.map((e) => e.data.callId))]);
    const recordOf = new Map(records.map((r) => [r.callId, r]));
    await this.decide(tx, relevant.flatMap((event) => {
      const record = recordOf.get(event.data.callId);
      return record ? [{ record, command: commandFor(event), causationId: event.id, traceparent: traceOf(event.id) }] : [];
    }), afterCommit);
  }

  /**
   * A device unlinked while it rang stops ringing (DeviceRingCancelled device_unlinked): it shows
   * the household's callers no more, whichever household it is in next; the last one gone, the
   * caller is sent to voicemail. In the registry batch's transaction; a batch without an unlink
   * costs nothing.
   */
  async stopUnlinked(tx: EntityManager, unlinks: readonly IntegrationEvent<'DeviceUnlinked'>[], afterCommit: AfterCommit = atOnce): Promise<void> {
    if (unlinks.length === 0) return;
    const records = await this.calls.mayRing(tx, [...new Set(unlinks.map((e) => e.data.accountId))]);
    await this.decide(tx, records.flatMap((record) => unlinks
      .filter((e) => e.data.accountId === record.accountId)
      .map((event) => ({ record, command: { type: 'StopRinging', deviceId: event.data.deviceId } as const, causationId: event.id, traceparent: null }))), afterCommit);
  }

  /** One read and one append of the calls' streams, one statement queueing what the carrier is asked. */
  private async decide(tx: EntityManager, steps: readonly InboundStep[], afterCommit: AfterCommit): Promise<void> {
    if (steps.length === 0) return;
    const now = this.clock.now();
    const outcomes = await this.commands.handleAll(
      tx,
      steps.map(({ record, command, causationId, traceparent }) => ({
        streamId: inboundStreamId(record.callId),
        commands: [command],
        metadata: { causationId, accountId: record.accountId, now, traceparent },
      })),
    );
    const instructions = steps.flatMap(({ record, command }, i) => {
      const instruction = carrierInstructionFor(command, outcomes[i].state, outcomes[i].newEvents);
      return instruction ? [{ record, instruction }] : [];
    });
    await this.calls.instruct(tx, instructions);
    const decided = outcomes.flatMap((o) => o.newEvents);
    afterCommit(() => this.onDecided?.(decided));
  }
}
