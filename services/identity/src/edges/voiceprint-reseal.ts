import type { EntityManager } from 'typeorm';
import type { VoiceprintCipher } from '../application/voiceprint-cipher';

const pageSize = 500;
// Held prints first: an approval moves a held print into voiceprints (releaseHeldVoiceprint) as it
// is, so one moved while the held pass runs is met by the voiceprints pass after it, not missed.
const tables = [
  { table: 'held_voiceprints', id: 'approval_id' },
  { table: 'voiceprints', id: 'voiceprint_id' },
] as const;

/**
 * After a rotation of VOICEPRINT_KEY, seals every stored print (enrolled or held for approval)
 * again under the current key, page by page, so that the previous keys can be destroyed. A print
 * changed meanwhile (by another replica) is left as it now is. A print no key opens is left too: it
 * is no voice anyone can be recognised by. Says how many it sealed again.
 */
export const resealVoiceprints = async (db: Pick<EntityManager, 'query'>, cipher: VoiceprintCipher): Promise<number> => {
  let resealed = 0;
  for (const { table, id } of tables) {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows: Array<{ id: string; account_id: string; sealed: Buffer }> = await db.query(
        `SELECT ${id} AS id, account_id, sealed FROM ${table} WHERE ${id} > $1 ORDER BY ${id} LIMIT $2`,
        [after, pageSize],
      );
      for (const row of rows) {
        let again: Buffer | null;
        try {
          again = cipher.reseal(row.account_id, row.sealed);
        } catch {
          continue;
        }
        if (!again) continue;
        const [, updated]: [unknown, number] = await db.query(`UPDATE ${table} SET sealed = $3 WHERE ${id} = $1 AND sealed = $2`, [row.id, row.sealed, again]);
        resealed += updated;
      }
      if (rows.length < pageSize) break;
      after = rows[rows.length - 1].id;
    }
  }
  return resealed;
};
