import type { EntityManager } from 'typeorm';
import type { Checkpoint } from '../store/types';

export const ensureRelayCheckpoint = (manager: EntityManager, name: string): Promise<unknown> =>
  manager.query(`INSERT INTO es_relay_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name]);

export const readRelayCheckpoint = async (manager: EntityManager, name: string): Promise<Checkpoint | undefined> => {
  const rows: { transaction_id: string; position: string }[] = await manager.query(
    `SELECT transaction_id::text, position::text FROM es_relay_checkpoints WHERE name = $1`,
    [name],
  );
  return rows[0] && { transactionId: rows[0].transaction_id, position: BigInt(rows[0].position) };
};
