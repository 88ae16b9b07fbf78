import type { ServiceName, Upcaster } from '@homeline/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { appendToStreams, type StreamAppend } from './append';
import type { UnitOfWork } from './unit-of-work';
import { fold, type Decider } from './decider';
import { readStreams } from './read';
import { rawQuery } from './raw-query';
import { runInTransaction, type RetryPolicy } from './transaction';
import type { DomainEvent, NewEvent, RecordedEvent } from './types';

/** Envelope fields for the events a command produces. */
export interface CommandMetadata {
  readonly correlationId?: string;
  readonly causationId?: string | null;
  readonly accountId?: string | null;
  /** The trace the events continue, e.g. the consumed event's (default: the active trace). */
  readonly traceparent?: string | null;
  /** When the events occurred (default: the append's clock). */
  readonly now?: Date;
}

/** Commands for one stream: a list, or derived from its current state (a process manager's step). */
export interface StreamCommands<Command, State> {
  readonly streamId: string;
  readonly commands: readonly Command[] | ((state: State) => readonly Command[]);
  readonly metadata?: CommandMetadata;
  /** The stream is new (a fresh id): skip reading it; the append still checks it is empty. */
  readonly isNew?: boolean;
}

export interface CommandOutcome<Event extends DomainEvent, State> {
  readonly streamId: string;
  /** The stream's state after this request's events (and those of earlier requests in the same call). */
  readonly state: State;
  readonly newEvents: readonly Event[];
  /** The new events as stored (ids, versions, positions); empty when the decider decided nothing. */
  readonly recorded: readonly RecordedEvent[];
}

export interface CommandHandlerOptions<Command, Event extends DomainEvent, State> {
  readonly decider: Decider<Command, Event, State>;
  readonly source: ServiceName;
  /** Envelope defaults taken from the state after the decision, e.g. the call's account. */
  readonly metadataOf?: (state: State, streamId: string) => CommandMetadata;
  /**
   * Serialise writers per stream (an advisory lock per stream for the transaction, taken in a
   * fixed order) instead of letting them race and retry: for streams that several writers touch
   * at the same moment. Optimistic concurrency is checked either way.
   */
  readonly serialize?: boolean;
  readonly upcasters?: readonly Upcaster[];
  /** Checks each new event before it is appended (e.g. against its contract); a failure is a bug. */
  readonly validate?: (event: Event) => Event;
}

/**
 * The write path every service uses (docs/architecture.md section 4): load the stream (upcasting
 * old shapes), fold it through the decider, decide, append with the version read. Many streams
 * are handled set-based in one call — one read, one append — so a consumer's batch costs a few
 * round trips, not a few per event. Lost races surface as StreamVersionConflict; `execute` (or
 * the inbox consumer) retries the whole transaction on a fresh read.
 */
export class CommandHandler<Command, Event extends DomainEvent, State> {
  constructor(private readonly options: CommandHandlerOptions<Command, Event, State>) {}

  async handle(tx: EntityManager, request: StreamCommands<Command, State>): Promise<CommandOutcome<Event, State>> {
    const [outcome] = await this.handleAll(tx, [request]);
    return outcome;
  }

  /** Requests run in order; several may target one stream (each sees the state the earlier left). */
  async handleAll(
    tx: EntityManager,
    requests: readonly StreamCommands<Command, State>[],
  ): Promise<CommandOutcome<Event, State>[]> {
    const { decided, appends } = await this.decideAll(tx, requests);
    const results = await appendToStreams(tx, appends);
    const recordedByStream = new Map(appends.map((a, i) => [a.streamId, results[i].events]));
    return decided.map(({ outcome, from }) => ({
      ...outcome,
      recorded: (recordedByStream.get(outcome.streamId) ?? []).slice(from, from + outcome.newEvents.length),
    }));
  }

  /**
   * Decides the requests against what `uow.reads` sees and stages the appends in the unit of work,
   * which writes them — with its inbox rows and companions — in one statement when it commits.
   * The outcomes carry no `recorded` events: nothing is stored before the commit.
   */
  async stage(uow: UnitOfWork, requests: readonly StreamCommands<Command, State>[]): Promise<CommandOutcome<Event, State>[]> {
    const { decided, appends } = await this.decideAll(uow.reads, requests);
    uow.append(appends);
    return decided.map(({ outcome }) => outcome);
  }

  private async decideAll(reads: EntityManager, requests: readonly StreamCommands<Command, State>[]) {
    const { decider } = this.options;
    const known = new Set(requests.filter((r) => r.isNew).map((r) => r.streamId));
    const streamIds = [...new Set(requests.map((r) => r.streamId))].filter((id) => !known.has(id));
    if (this.options.serialize) await lockStreams(reads, streamIds);
    const streams = await readStreams(reads, streamIds, { upcasters: this.options.upcasters });
    const versions = new Map<string, number>([...known].map((id) => [id, 0]));
    const states = new Map<string, State>([...known].map((id) => [id, decider.initialState()]));
    for (const [id, stream] of streams) {
      versions.set(id, stream.currentVersion);
      states.set(id, fold(decider, stream.events as unknown as readonly Event[]));
    }
    const pending = new Map<string, NewEvent[]>();
    const decided = requests.map((request) => {
      let state = states.get(request.streamId) as State;
      const commands = typeof request.commands === 'function' ? request.commands(state) : request.commands;
      const newEvents: Event[] = [];
      for (const command of commands) {
        const events = decider.decide(command, state).map((e) => this.options.validate?.(e) ?? e);
        state = fold(decider, events, state);
        newEvents.push(...events);
      }
      states.set(request.streamId, state);
      const metadata = { ...this.options.metadataOf?.(state, request.streamId), ...request.metadata };
      const toAppend = newEvents.map((event): NewEvent => ({ type: event.type, data: event.data as Record<string, unknown>, occurredAt: metadata.now, metadata }));
      const before = pending.get(request.streamId) ?? [];
      pending.set(request.streamId, [...before, ...toAppend]);
      return { outcome: { streamId: request.streamId, state, newEvents, recorded: [] as RecordedEvent[] }, from: before.length };
    });
    const appends: StreamAppend[] = [...pending]
      .filter(([, events]) => events.length > 0)
      .map(([streamId, events]) => ({ streamId, events, options: { expectedVersion: versions.get(streamId)!, source: this.options.source } }));
    return { decided, appends };
  }

  /** Handles one request in its own transaction, retried on lost races; `andThen` runs in the same transaction. */
  execute<T = CommandOutcome<Event, State>>(
    dataSource: DataSource,
    request: StreamCommands<Command, State>,
    andThen?: (tx: EntityManager, outcome: CommandOutcome<Event, State>) => Promise<T>,
    policy?: RetryPolicy,
  ): Promise<T> {
    return runInTransaction(
      dataSource,
      async (tx) => {
        const outcome = await this.handle(tx, request);
        return andThen ? andThen(tx, outcome) : (outcome as unknown as T);
      },
      policy,
    );
  }
}

/** Per-stream advisory locks for the rest of the transaction, in a fixed order so two writers never deadlock. */
const lockStreams = (tx: EntityManager, streamIds: readonly string[]): Promise<unknown> =>
  rawQuery(
    tx,
    'es_lock_streams_v1',
    `SELECT count(pg_advisory_xact_lock(key)) FROM (SELECT DISTINCT hashtextextended(s, 0) AS key FROM unnest($1::text[]) s ORDER BY 1) k`,
    [streamIds],
  );
