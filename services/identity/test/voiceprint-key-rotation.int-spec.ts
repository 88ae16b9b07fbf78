import { Topics } from '@homeline/contracts';
import { simulatedSpeaker } from '@homeline/device-sim';
import { eventually } from '@homeline/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { AesVoiceprintCipher } from '../src/edges/aes-voiceprint-cipher';
import { ExpirySweeper } from '../src/edges/expiry-sweeper';
import { resealVoiceprints } from '../src/edges/voiceprint-reseal';
import { callRequested } from './support/call-requested';
import { registerHousehold } from './support/household';
import { useIdentity } from './support/identity-app';
import { distinctEvents } from './support/topic-tap';

const maria = simulatedSpeaker('maria');
const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('base64');

/** VOICEPRINT_KEY is rotated with VOICEPRINT_PREVIOUS_KEYS: voiceprints sealed before still verify, and are sealed again under the new key. */
describe('a rotated voiceprint key', () => {
  const fixture = useIdentity({
    env: { VOICEPRINT_KEY: newKey, VOICEPRINT_PREVIOUS_KEYS: oldKey, EXPIRY_SWEEP_INTERVAL_MS: '3600000' },
    conversation: true,
  });

  it('still recognises a voice enrolled under the previous key, and the sweep seals every print under the new one', async () => {
    const { identity, producer, published } = fixture;
    const home = await registerHousehold(identity, { maria: { speaker: maria, role: 'owner' } }, 'kitchen-rotation');
    // As enrolled before the rotation: sealed under the key that was VOICEPRINT_KEY then.
    const old = new AesVoiceprintCipher(oldKey);
    const [print] = await identity.db.query(`SELECT voiceprint_id FROM voiceprints WHERE account_id = $1`, [home.accountId]);
    await identity.db.query(`UPDATE voiceprints SET sealed = $2 WHERE voiceprint_id = $1`, [print.voiceprint_id, old.seal(home.accountId, maria.voiceprint)]);

    const request = callRequested(home.device.deviceId, 'Mom', home.device.assert({ subject: 'Mom', embedding: maria.utter() }));
    await producer.send({ topic: Topics.calls, messages: [{ key: request.streamId, value: JSON.stringify(request) }] });
    await eventually(() => {
      const [decision] = distinctEvents(published.messages.filter((m) => m.value.type.startsWith('Speaker') && m.value.data.callId === request.data.callId));
      expect(decision?.value).toMatchObject({ type: 'SpeakerVerified', data: { memberId: home.members.maria } });
    });

    expect((await identity.app.get(ExpirySweeper).sweep()).resealed).toBe(1);
    const [{ sealed }] = await identity.db.query(`SELECT sealed FROM voiceprints WHERE voiceprint_id = $1`, [print.voiceprint_id]);
    expect(new AesVoiceprintCipher(newKey).open(home.accountId, sealed)).toEqual(maria.voiceprint); // the new key alone opens it
    expect(() => old.open(home.accountId, sealed)).toThrow();
    // Nothing is left under the previous key: a sweep of the store finds nothing to seal again.
    expect(await resealVoiceprints(identity.db.manager, new AesVoiceprintCipher(newKey, [oldKey]))).toBe(0);
  });

  it('reseals a held print the owner approves while the sweep goes through the held prints', async () => {
    const { identity } = fixture;
    const home = await registerHousehold(identity, { maria: { speaker: maria, role: 'owner' } }, 'kitchen-rotation-held');
    const old = new AesVoiceprintCipher(oldKey);
    const held = { approvalId: randomUUID(), voiceprintId: randomUUID() };
    await identity.db.query(`INSERT INTO held_voiceprints (approval_id, voiceprint_id, member_id, account_id, sealed) VALUES ($1, $2, $3, $4, $5)`,
      [held.approvalId, held.voiceprintId, home.members.maria, home.accountId, old.seal(home.accountId, maria.voiceprint)]);
    // The owner approves right after the sweep read the held print: it moves into voiceprints as it is
    // (approval-projection.ts), and the sweep's update of the held row finds nothing.
    let approved = false;
    const db = {
      query: async (sql: string, params?: unknown[]) => {
        const rows = await identity.db.query(sql, params);
        if (!approved && sql.includes('FROM held_voiceprints') && rows.length > 0) {
          approved = true;
          await identity.db.query(
            `WITH held AS (DELETE FROM held_voiceprints WHERE approval_id = $1 RETURNING voiceprint_id, member_id, account_id, sealed)
             INSERT INTO voiceprints (voiceprint_id, member_id, account_id, sealed) SELECT * FROM held`, [held.approvalId]);
        }
        return rows;
      },
    };

    await resealVoiceprints(db, new AesVoiceprintCipher(newKey, [oldKey]));
    expect(approved).toBe(true);
    const [{ sealed }] = await identity.db.query(`SELECT sealed FROM voiceprints WHERE voiceprint_id = $1`, [held.voiceprintId]);
    expect(new AesVoiceprintCipher(newKey).open(home.accountId, sealed)).toEqual(maria.voiceprint);
  });
});
