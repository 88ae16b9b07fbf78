import type { EntityManager } from 'typeorm';
import type { Checkpoint } from '../store/types';

export const ensureRelayCheckpoint = (manager: EntityManager, name: string): Promise<unknown> =>
  manager.query(`INSERT INTO es_relay_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name]);

/**
 * Locks this relay's checkpoint row for the rest of the transaction, or returns undefined when
 * another relay instance holds it (SKIP LOCKED): whoever holds the row is the only publisher.
 */
export const lockRelayCheckpoint = async (manager: EntityManager, name: string): Promise<Checkpoint | undefined> => {
  const rows: { transaction_id: string; position: string }[] = await manager.query(
    `SELECT transaction_id::text, position::text FROM es_relay_checkpoints WHERE name = $1 FOR UPDATE SKIP LOCKED`,
    [name],
  );
  return rows[0] && { transactionId: rows[0].transaction_id, position: BigInt(rows[0].position) };
};

export const saveRelayCheckpoint = (manager: EntityManager, name: string, checkpoint: Checkpoint): Promise<unknown> =>
  manager.query(
    `UPDATE es_relay_checkpoints SET transaction_id = $2::xid8, position = $3, updated_at = now() WHERE name = $1`,
    [name, checkpoint.transactionId, checkpoint.position.toString()],
  );

export const readRelayCheckpoint = async (manager: EntityManager, name: string): Promise<Checkpoint | undefined> => {
  const rows: { transaction_id: string; position: string }[] = await manager.query(
    `SELECT transaction_id::text, position::text FROM es_relay_checkpoints WHERE name = $1`,
    [name],
  );
  return rows[0] && { transactionId: rows[0].transaction_id, position: BigInt(rows[0].position) };
};
