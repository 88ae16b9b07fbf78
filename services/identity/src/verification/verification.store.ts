import { Tables } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import type { LinkedDevice } from '../domain/verify-speaker';
import type { EnrolledVoiceprint } from '../domain/voice-match';
import type { VoiceprintCipher } from '../registry/voiceprint-cipher';

/** What verification reads and writes in identity's registry tables, in the caller's transaction. */

export const findLinkedDevice = async (tx: EntityManager, deviceId: string): Promise<LinkedDevice | null> => {
  const [row]: { account_id: string; public_key: Buffer }[] = await tx.query(
    `SELECT account_id, public_key FROM devices WHERE device_id = $1 AND unlinked_at IS NULL`,
    [deviceId],
  );
  return row ? { deviceId, accountId: row.account_id, publicKey: row.public_key.toString('base64') } : null;
};

export const enrolledVoiceprints = async (tx: EntityManager, accountId: string, cipher: VoiceprintCipher): Promise<EnrolledVoiceprint[]> => {
  const rows: { member_id: string; sealed: Buffer }[] = await tx.query(
    `SELECT member_id, sealed FROM voiceprints WHERE account_id = $1`,
    [accountId],
  );
  return rows.map((row) => ({ memberId: row.member_id, embedding: cipher.open(accountId, row.sealed) }));
};

export const isNonceSeen = async (tx: EntityManager, deviceId: string, nonce: string): Promise<boolean> => {
  const rows: unknown[] = await tx.query(`SELECT 1 FROM assertion_nonces WHERE device_id = $1 AND nonce = $2`, [deviceId, nonce]);
  return rows.length > 0;
};

/**
 * Burns a nonce; false when another transaction burnt it first (the primary key waits for a
 * concurrent insert to commit, so two deliveries racing with one nonce cannot both win).
 */
export const burnNonce = async (tx: EntityManager, deviceId: string, nonce: string, callId: string): Promise<boolean> => {
  const rows: unknown[] = await tx.query(
    `INSERT INTO assertion_nonces (device_id, nonce, call_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING nonce`,
    [deviceId, nonce, callId],
  );
  return rows.length > 0;
};

export const isCallDecided = async (tx: EntityManager, streamId: string): Promise<boolean> => {
  const rows: unknown[] = await tx.query(`SELECT 1 FROM ${Tables.events} WHERE stream_id = $1 LIMIT 1`, [streamId]);
  return rows.length > 0;
};
