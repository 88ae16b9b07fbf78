import type { EventType } from '@homeline/contracts';
import { validateEventData } from '@homeline/contracts';
import { CommandHandler, inTransaction, type Clock, type CommandOutcome } from '@homeline/event-store';
import type { IdempotencyStore, StoredResponse } from '@homeline/platform';
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { householdDecider, type HouseholdCommand, type HouseholdEvent, type HouseholdState } from '../domain';
import { projectHousehold } from './household-projection';
import { accountNotFound, isAccountId } from './registry.errors';

/** A household command before the clock stamps it. */
export type Unstamped = HouseholdCommand extends infer C ? (C extends HouseholdCommand ? Omit<C, 'now'> : never) : never;
export type Outcome = CommandOutcome<HouseholdEvent, HouseholdState>;

export const householdStreamId = (accountId: string): string => `account-${accountId}`;

// Published events must match their contract; a mismatch here is a bug, not bad input.
const matchesContract = (event: HouseholdEvent): HouseholdEvent =>
  ({ ...event, data: validateEventData(event.type as EventType, event.data) }) as HouseholdEvent;

// A scope names its route's path parameters, which can be as long as a URL: one too long for the key's index is kept as its digest.
const storableScope = (scope: string): string => (scope.length <= 256 ? scope : `sha256:${createHash('sha256').update(scope).digest('hex')}`);

const request = (unstamped: Unstamped, now: Date) => ({
  streamId: householdStreamId(unstamped.accountId),
  commands: [{ ...unstamped, now: now.toISOString() } as HouseholdCommand],
  metadata: { correlationId: unstamped.accountId, causationId: null, accountId: unstamped.accountId, now },
});

/**
 * The one write path of the household registry: the household decider on `account-<accountId>`
 * through the event store's command handler, with the read tables updated in the same transaction.
 * A household's commands queue on its stream (`serialize`) rather than race; a lost race all the
 * same (a key claimed before a concurrent append) reruns the request.
 */
export class HouseholdWrites {
  private readonly households = new CommandHandler({ decider: householdDecider, source: 'identity', serialize: true, validate: matchesContract });

  constructor(
    private readonly db: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Stamps the command, then, once per Idempotency-Key within `scope` (the route and the account it
   * acts on, so two accounts never share a key): decide and append, project into the read tables,
   * answer. Ids and time are fixed before the first attempt, so a rerun after a lost race is the
   * same request.
   */
  run<T>(
    scope: string,
    key: string | undefined,
    body: unknown,
    unstamped: Unstamped,
    respond: (outcome: Outcome, tx: EntityManager) => StoredResponse<T> | Promise<StoredResponse<T>>,
  ): Promise<StoredResponse<T>> {
    const { accountId } = unstamped;
    if (unstamped.type !== 'OpenAccount' && !isAccountId(accountId)) return Promise.reject(accountNotFound(accountId));
    const stamped = request(unstamped, this.clock.now());
    return this.idempotency.once(storableScope(scope), key, body, (manager) =>
      inTransaction(this.db, manager, async (tx) => {
        const outcome = await this.households.handle(tx, stamped);
        await projectHousehold(tx, outcome.recorded);
        return respond(outcome, tx);
      }),
    );
  }

  /** Commands on many households in the caller's transaction, one read and one append for all (a sweep's batch). */
  async handleAll(tx: EntityManager, commands: readonly Unstamped[], now: Date): Promise<Outcome[]> {
    const outcomes = await this.households.handleAll(tx, commands.map((c) => request(c, now)));
    await projectHousehold(tx, outcomes.flatMap((o) => o.recorded));
    return outcomes;
  }
}
