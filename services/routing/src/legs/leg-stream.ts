import { appendToStream, isStreamVersionConflict, readStream } from '@homeline/event-store';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { legStateOf, routeStreamId } from '../decision/route-stream';
import { decideLeg, type CarrierLegCommand, type CarrierLegEvent } from '../domain';
import type { LegRecord } from './carrier-legs';

/** Folds the call's route stream, decides the leg command, appends what happened; returns it. */
export const decideOnLeg = async (
  manager: EntityManager,
  leg: LegRecord,
  command: CarrierLegCommand,
): Promise<readonly CarrierLegEvent[]> => {
  const streamId = routeStreamId(leg.callId);
  const stream = await readStream(manager, streamId);
  const events = decideLeg(command, legStateOf(stream.events));
  if (events.length === 0) return events;
  await appendToStream(manager, streamId, events, {
    expectedVersion: stream.currentVersion,
    source: 'routing',
    correlationId: leg.callId,
    accountId: leg.accountId,
  });
  return events;
};

const isDuplicateKey = (error: unknown): boolean =>
  error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';

/**
 * Runs `work` in a transaction, again on a fresh read when another writer appended to the
 * stream first or inserted the same key (a concurrent copy of the same callback).
 */
export const withStreamRetry = async <T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
  attempts = 5,
): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction(work);
    } catch (error) {
      if (!(isStreamVersionConflict(error) || isDuplicateKey(error)) || attempt >= attempts) throw error;
    }
  }
};
