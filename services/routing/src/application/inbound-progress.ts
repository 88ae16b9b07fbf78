import type { IntegrationEvent } from '@homeline/contracts';
import type { Clock } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import { carrierInstructionFor, type InboundCallCommand, type InboundCallEvent } from '../domain';
import type { InboundCalls } from './inbound.ports';
import { noTrace, type TraceOf } from './route-calls';
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

  async follow(tx: EntityManager, events: readonly CallVerdict[], traceOf: TraceOf = noTrace): Promise<void> {
    const relevant = events.filter((e) => e.type !== 'CallConnected' || e.data.direction === 'inbound');
    if (relevant.length === 0) return;
    const records = await this.calls.ofCalls(tx, [...new Set(relevant.map((e) => e.data.callId))]);
    const recordOf = new Map(records.map((r) => [r.callId, r]));
    const steps = relevant.flatMap((event) => {
      const record = recordOf.get(event.data.callId);
      return record ? [{ event, record, command: commandFor(event) }] : [];
    });
    if (steps.length === 0) return;
    const now = this.clock.now();
    const outcomes = await this.commands.handleAll(
      tx,
      steps.map(({ event, record, command }) => ({
        streamId: inboundStreamId(record.callId),
        commands: [command],
        metadata: { causationId: event.id, accountId: record.accountId, now, traceparent: traceOf(event.id) },
      })),
    );
    const instructions = steps.flatMap(({ record, command }, i) => {
      const instruction = carrierInstructionFor(command, outcomes[i].state, outcomes[i].newEvents);
      return instruction ? [{ record, instruction }] : [];
    });
    await this.calls.instruct(tx, instructions);
    this.onDecided?.(outcomes.flatMap((o) => o.newEvents));
  }
}
