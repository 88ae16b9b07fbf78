import type { DataSource, EntityManager } from 'typeorm';
import { appendToStream } from './append';
import { fold, type Decider } from './decider';
import { StreamVersionConflict, TooManyConflicts } from './errors';
import { readStream } from './read';
import type { AppendOptions, AppendResult, DomainEvent } from './types';

export interface HandleCommandOptions<Event extends DomainEvent, State>
  extends Omit<AppendOptions, 'expectedVersion'> {
  /** Attempts in all, each on a fresh read of the stream; default 3. */
  readonly maxAttempts?: number;
  /** Runs in the same transaction after the append, e.g. to update an inline read model. */
  readonly inTransaction?: (manager: EntityManager, outcome: CommandOutcome<Event, State>) => Promise<void>;
}

export interface CommandOutcome<Event extends DomainEvent, State> {
  readonly state: State;
  readonly newEvents: readonly Event[];
  /** Null when the decider produced no events (nothing was appended). */
  readonly appended: AppendResult | null;
  readonly attempts: number;
}

/**
 * Loads the stream, folds it through the decider, decides, and appends with the version it
 * read — all in one transaction. On a version conflict the transaction is rolled back and the
 * whole thing runs again on a fresh read, at most `maxAttempts` times.
 */
export const handleCommand = async <Command, Event extends DomainEvent, State>(
  dataSource: DataSource,
  decider: Decider<Command, Event, State>,
  streamId: string,
  command: Command,
  options: HandleCommandOptions<Event, State>,
): Promise<CommandOutcome<Event, State>> => {
  const { maxAttempts = 3, inTransaction, ...appendOptions } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction(async (manager) => {
        const stream = await readStream(manager, streamId);
        const current = fold(decider, stream.events as unknown as readonly Event[]);
        const newEvents = decider.decide(command, current);
        const state = fold(decider, newEvents, current);
        const appended = newEvents.length
          ? await appendToStream(manager, streamId, newEvents, { ...appendOptions, expectedVersion: stream.currentVersion })
          : null;
        const outcome = { state, newEvents, appended, attempts: attempt };
        await inTransaction?.(manager, outcome);
        return outcome;
      });
    } catch (error) {
      if (!(error instanceof StreamVersionConflict)) throw error;
      if (attempt >= maxAttempts) throw new TooManyConflicts(streamId, attempt, error);
    }
  }
};
