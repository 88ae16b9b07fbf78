import type { DataSource, EntityManager } from 'typeorm';
import { readCommittedAfter } from '../store/read';
import { initialCheckpoint, type Checkpoint } from '../store/types';
import { lockProjectionCheckpoint, saveProjectionCheckpoint } from './projection-checkpoint';
import type { Projection } from './projection';

export interface CatchUpOptions {
  readonly batchSize?: number;
}

/** Applies one batch after `checkpoint`; returns how many store events it moved past. */
const applyBatch = async (
  manager: EntityManager,
  projection: Projection,
  checkpoint: Checkpoint,
  batchSize: number,
): Promise<{ read: number; checkpoint: Checkpoint }> => {
  const batch = await readCommittedAfter(manager, checkpoint, batchSize);
  if (batch.events.length === 0) return { read: 0, checkpoint };
  const types = projection.eventTypes;
  const events = types ? batch.events.filter((e) => types.includes(e.type)) : batch.events;
  if (events.length) await projection.apply(events, manager);
  await saveProjectionCheckpoint(manager, projection.name, batch.checkpoint);
  return { read: batch.events.length, checkpoint: batch.checkpoint };
};

/**
 * Brings a projection up to date, one transaction per batch (read model and checkpoint commit
 * together). Returns the number of store events read, or 0 when another runner holds it.
 */
export const catchUpProjection = async (
  dataSource: DataSource,
  projection: Projection,
  options: CatchUpOptions = {},
): Promise<number> => {
  const batchSize = options.batchSize ?? 500;
  let total = 0;
  for (;;) {
    const read = await dataSource.transaction(async (manager) => {
      const checkpoint = await lockProjectionCheckpoint(manager, projection.name, false);
      return checkpoint ? (await applyBatch(manager, projection, checkpoint, batchSize)).read : 0;
    });
    total += read;
    if (read < batchSize) return total;
  }
};

/**
 * Rebuilds a read model from the whole store in ONE transaction: truncate, reset the checkpoint,
 * replay. Readers keep seeing the old model until it commits; a running catch-up waits.
 */
export const rebuildProjection = async (
  dataSource: DataSource,
  projection: Projection,
  options: CatchUpOptions = {},
): Promise<number> => {
  const batchSize = options.batchSize ?? 1000;
  return dataSource.transaction(async (manager) => {
    await lockProjectionCheckpoint(manager, projection.name, true);
    await projection.truncate(manager);
    let checkpoint = initialCheckpoint;
    await saveProjectionCheckpoint(manager, projection.name, checkpoint);
    let total = 0;
    for (;;) {
      const step = await applyBatch(manager, projection, checkpoint, batchSize);
      total += step.read;
      checkpoint = step.checkpoint;
      if (step.read < batchSize) return total;
    }
  });
};
