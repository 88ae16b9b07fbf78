import type { EntityManager } from 'typeorm';
import type { Checkpoint } from '../store/types';

export const ensureRelayCheckpoint = (manager: EntityManager, name: string): Promise<unknown> =>
  manager.query(`INSERT INTO es_relay_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name]);

/**
 * Takes this relay's lock for the rest of the transaction and reads its checkpoint, or returns
 * undefined when another relay instance holds the lock: whoever holds it is the only publisher.
 * An advisory lock rather than a row lock (FOR UPDATE), because a row lock assigns the transaction
 * an id at once, and a transaction id held open during the Kafka send holds back the snapshot
 * xmin that every other reader of the server (relays of the other services too) waits for.
 */
export const lockRelayCheckpoint = async (manager: EntityManager, name: string): Promise<Checkpoint | undefined> => {
  const [{ locked }]: { locked: boolean }[] = await manager.query(
    `SELECT pg_try_advisory_xact_lock(hashtextextended('es-relay:' || $1, 0)) AS locked`,
    [name],
  );
  return locked ? readRelayCheckpoint(manager, name) : undefined;
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
