import { validateEventData, type EventType } from '@homeline/contracts';
import { appendToStream, readStream, type RecordedEvent } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import {
  decideHousehold, evolveHousehold, HouseholdError, initialHouseholdState, type HouseholdCommand, type HouseholdEvent,
} from '../domain';
import { projectHousehold } from './registry.projection';

export const householdStreamId = (accountId: string): string => `account-${accountId}`;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const accountNotFound = (accountId: string) => new HouseholdError('account_not_found', `No account ${accountId}.`);

/**
 * Takes the account row's lock for the rest of the transaction: commands on one household run
 * one at a time (so they never race on the stream version), and a missing account is a 404.
 */
const lockAccount = async (tx: EntityManager, accountId: string): Promise<void> => {
  if (!uuidPattern.test(accountId)) throw accountNotFound(accountId);
  const rows: unknown[] = await tx.query(`SELECT 1 FROM accounts WHERE account_id = $1 FOR UPDATE`, [accountId]);
  if (rows.length === 0) throw accountNotFound(accountId);
};

/**
 * Runs a command against a household inside the caller's transaction: fold the account stream,
 * decide (the domain's household decider), append to `account-<accountId>` (and so to the
 * outbox), update the read tables.
 */
export const executeHouseholdCommand = async (
  tx: EntityManager,
  command: HouseholdCommand,
  causationId: string | null = null,
): Promise<readonly RecordedEvent[]> => {
  const { accountId } = command;
  if (command.type !== 'OpenAccount') await lockAccount(tx, accountId);
  const streamId = householdStreamId(accountId);
  const stream = await readStream(tx, streamId);
  const state = (stream.events as unknown as readonly HouseholdEvent[]).reduce(evolveHousehold, initialHouseholdState);
  // Published events must match their contract; a mismatch here is a bug, not bad input.
  const events = decideHousehold(command, state).map((e) => ({ type: e.type, data: validateEventData(e.type as EventType, e.data) }));
  const appended = await appendToStream(tx, streamId, events, {
    expectedVersion: stream.currentVersion,
    source: 'identity',
    correlationId: accountId,
    causationId,
    accountId,
    now: new Date(command.now),
  });
  await projectHousehold(tx, appended.events);
  return appended.events;
};
