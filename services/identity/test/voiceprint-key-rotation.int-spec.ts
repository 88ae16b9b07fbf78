import { Topics } from '@homeline/contracts';
import { simulatedSpeaker } from '@homeline/device-sim';
import { eventually } from '@homeline/testing';
import { randomBytes } from 'node:crypto';
import { AesVoiceprintCipher } from '../src/edges/aes-voiceprint-cipher';
import { ExpirySweeper } from '../src/edges/expiry-sweeper';
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
    expect((await identity.app.get(ExpirySweeper).sweep()).resealed).toBe(0);
  });
});
