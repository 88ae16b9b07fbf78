import { CommandHandler, runUnitOfWork, type CommandOutcome, type Companion, type UnitOfWork } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import { accountOfCall, callDecider, deadlineOf, type AnyCallCommand, type AnyCallEvent, type AnyCallState, type CallTimeouts } from '../domain';

export const callStreamId = (callId: string): string => `call-${callId}`;

/** Commands for one call: a list, or derived from its state (the process manager's step). */
export interface CallRequest {
  readonly callId: string;
  readonly commands: readonly AnyCallCommand[] | ((state: AnyCallState) => readonly AnyCallCommand[]);
  /** The consumed event (or nothing, for an HTTP request or a timer) the new events answer. */
  readonly causationId?: string | null;
  readonly traceparent?: string | null;
  /** A call id just made up (a new call): nothing to read. */
  readonly isNew?: boolean;
  /** Writes that belong with this request's events (e.g. a nonce used up). */
  readonly companions?: readonly Companion[];
}

export type Deadline = { readonly callId: string; readonly dueAt: string | null };

/** Where each waiting call's deadline is kept (edges/deadline-store.ts). */
export interface DeadlineStore {
  /** The writes that record each call's deadline (null: nothing awaited), with the call's events. */
  companions(deadlines: readonly Deadline[]): Companion[];
  /** Told once they are committed: a local scheduler may need to wake sooner. */
  scheduled(deadlines: readonly Deadline[]): void;
}

export type CallOutcome = CommandOutcome<AnyCallEvent, AnyCallState>;

/**
 * Every write to calls — the HTTP edge, the process manager, the deadline scheduler — goes
 * through here: the event store's command path with the Call decider, and the deadlines of the
 * calls that changed, written in the same statement as their events (a unit of work). Set-based:
 * a whole consumer batch is one read of its calls and one statement.
 */
export class CallWrites {
  private readonly handler: CommandHandler<AnyCallCommand, AnyCallEvent, AnyCallState>;

  constructor(timeouts: CallTimeouts, private readonly deadlines: DeadlineStore) {
    this.handler = new CommandHandler({
      decider: callDecider(timeouts),
      source: 'calls',
      metadataOf: (state) => ({
        correlationId: state.status === 'idle' ? undefined : state.callId,
        accountId: accountOfCall(state),
      }),
    });
  }

  /** Stages the requests in a unit of work (a consumer's batch); its commit writes them. */
  async stage(uow: UnitOfWork, requests: readonly CallRequest[]): Promise<CallOutcome[]> {
    const outcomes = await this.handler.stage(uow, requests.map(toStreamCommands));
    for (const companion of requests.flatMap((r) => r.companions ?? [])) uow.also(companion);
    const deadlines = deadlinesOf(outcomes);
    for (const companion of this.deadlines.companions(deadlines)) uow.also(companion);
    uow.onCommitted(() => this.deadlines.scheduled(deadlines));
    return outcomes;
  }

  /**
   * Runs the requests as one unit of work of their own, in one statement on `db` (a transaction's
   * manager to join it), again on a fresh read after a lost race.
   */
  run(db: EntityManager, requests: readonly CallRequest[], maxAttempts = 8): Promise<CallOutcome[]> {
    return runUnitOfWork(db, (uow) => this.stage(uow, requests), { maxAttempts });
  }
}

const toStreamCommands = (r: CallRequest) => ({
  streamId: callStreamId(r.callId),
  commands: r.commands,
  isNew: r.isNew,
  metadata: { causationId: r.causationId ?? null, traceparent: r.traceparent },
});

/** The deadline of each call whose state changed (the last outcome of each wins). */
const deadlinesOf = (outcomes: readonly CallOutcome[]): Deadline[] => {
  const changed = new Map<string, AnyCallState>();
  for (const outcome of outcomes) if (outcome.newEvents.length > 0) changed.set(outcome.streamId, outcome.state);
  return [...changed.values()].map((state) => ({ callId: (state as { callId: string }).callId, dueAt: deadlineOf(state) }));
};
