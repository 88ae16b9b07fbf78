import { validateEventData, type EventType } from '@homeline/contracts';
import { appendToStream, fold, readStream, type Decider, type RecordedEvent } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import { evolve, householdStreamId, initialHousehold, type Household, type HouseholdEvent } from './household';
import { decide, type HouseholdCommand } from './household.decide';
import { accountNotFound } from './household.errors';
import { projectHousehold } from './registry.projection';

export const householdDecider: Decider<HouseholdCommand, HouseholdEvent, Household> = { decide, evolve, initialState: initialHousehold };

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Takes the account row's lock for the rest of the transaction: commands on one household run
 * one at a time (so they never race on the stream version), and a missing account is a 404.
 */
const lockAccount = async (tx: EntityManager, accountId: string): Promise<void> => {
  if (!uuidPattern.test(accountId)) throw accountNotFound(accountId);
  const rows: unknown[] = await tx.query(`SELECT 1 FROM accounts WHERE account_id = $1 FOR UPDATE`, [accountId]);
  if (rows.length === 0) throw accountNotFound(accountId);
};

export interface CommandMetadata {
  readonly now: Date;
  /** What caused the command (a request id), recorded on its events. */
  readonly causationId?: string | null;
}

/**
 * Runs a command against a household inside the caller's transaction: fold the account stream,
 * decide, append to `account-<accountId>` (and so to the outbox), update the read tables.
 */
export const executeHouseholdCommand = async (
  tx: EntityManager,
  accountId: string,
  command: HouseholdCommand,
  metadata: CommandMetadata,
): Promise<readonly RecordedEvent[]> => {
  if (command.type !== 'OpenAccount') await lockAccount(tx, accountId);
  const streamId = householdStreamId(accountId);
  const stream = await readStream(tx, streamId);
  const state = fold(householdDecider, stream.events as unknown as readonly HouseholdEvent[]);
  // Published events must match their contract; a mismatch here is a bug, not bad input.
  const events = decide(command, state).map((e) => ({ type: e.type, data: validateEventData(e.type as EventType, e.data) }));
  const appended = await appendToStream(tx, streamId, events, {
    expectedVersion: stream.currentVersion,
    source: 'identity',
    correlationId: accountId,
    causationId: metadata.causationId ?? null,
    accountId,
    now: metadata.now,
  });
  await projectHousehold(tx, appended.events);
  return appended.events;
};
