import { randomBytes } from 'node:crypto';
import { AesVoiceprintCipher } from './aes-voiceprint-cipher';
import { resealVoiceprints } from './voiceprint-reseal';

type Row = { id: string; account_id: string; sealed: Buffer };

describe('resealVoiceprints', () => {
  it('reseals a held print approved while the held prints are being resealed', async () => {
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const accountId = 'a1';
    const embedding = [0.25, 0.5];
    const tables: Record<string, Row[]> = {
      voiceprints: [],
      held_voiceprints: [{ id: '00000000-0000-0000-0000-000000000001', account_id: accountId, sealed: new AesVoiceprintCipher(oldKey).seal(accountId, embedding) }],
    };
    let approved = false;
    const db = {
      query: async (sql: string, params: unknown[]): Promise<never> => {
        const table = /(?:FROM|UPDATE) (\w+)/.exec(sql)![1];
        if (sql.startsWith('SELECT')) {
          const rows = tables[table].filter((r) => r.id > (params[0] as string)).map((r) => ({ ...r }));
          // The owner approves the held print right after the sweep read it: it moves, as sealed, into voiceprints.
          if (table === 'held_voiceprints' && rows.length > 0 && !approved) {
            approved = true;
            tables.voiceprints.push(...tables.held_voiceprints.splice(0));
          }
          return rows as never;
        }
        const row = tables[table].find((r) => r.id === params[0] && r.sealed.equals(params[1] as Buffer));
        if (row) row.sealed = params[2] as Buffer;
        return [undefined, row ? 1 : 0] as never;
      },
    };

    expect(await resealVoiceprints(db, new AesVoiceprintCipher(newKey, [oldKey]))).toBe(1);
    expect(approved).toBe(true);
    expect(new AesVoiceprintCipher(newKey).open(accountId, tables.voiceprints[0].sealed)).toEqual(embedding);
  });
});
