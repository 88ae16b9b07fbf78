import type { EntityManager } from 'typeorm';
import type { Checkpoint } from '../store/types';

type Row = { transaction_id: string; position: string };
const toCheckpoint = (row: Row | undefined): Checkpoint | undefined =>
  row && { transactionId: row.transaction_id, position: BigInt(row.position) };

/**
 * Locks the projection's checkpoint for the transaction. `wait: false` skips when another runner
 * holds it (that runner is applying the same events); a rebuild waits for it instead.
 */
export const lockProjectionCheckpoint = async (
  manager: EntityManager,
  name: string,
  wait: boolean,
): Promise<Checkpoint | undefined> => {
  await manager.query(`INSERT INTO es_projection_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name]);
  const rows: Row[] = await manager.query(
    `SELECT transaction_id::text, position::text FROM es_projection_checkpoints WHERE name = $1
     FOR UPDATE ${wait ? '' : 'SKIP LOCKED'}`,
    [name],
  );
  return toCheckpoint(rows[0]);
};

export const saveProjectionCheckpoint = (manager: EntityManager, name: string, checkpoint: Checkpoint): Promise<unknown> =>
  manager.query(
    `UPDATE es_projection_checkpoints SET transaction_id = $2::xid8, position = $3, updated_at = now() WHERE name = $1`,
    [name, checkpoint.transactionId, checkpoint.position.toString()],
  );

export const readProjectionCheckpoint = async (manager: EntityManager, name: string): Promise<Checkpoint | undefined> =>
  toCheckpoint(
    (
      await manager.query(
        `SELECT transaction_id::text, position::text FROM es_projection_checkpoints WHERE name = $1`,
        [name],
      )
    )[0],
  );
