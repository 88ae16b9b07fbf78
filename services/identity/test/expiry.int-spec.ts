import { Topics } from '@homeline/contracts';
import { replayOf, simulatedSpeaker } from '@homeline/device-sim';
import { eventually } from '@homeline/testing';
import type { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { ExpirySweeper } from '../src/edges/expiry-sweeper';
import { callRequested, type CallRequestedEnvelope } from './support/call-requested';
import { registerHousehold, type Household } from './support/household';
import { useIdentity, type IdentityUnderTest } from './support/identity-app';
import { distinctEvents, type TopicTap } from './support/topic-tap';

const maria = simulatedSpeaker('maria');
const hoursAgo = (hours: number, plusSeconds = 0) => new Date(Date.now() - hours * 3_600_000 + plusSeconds * 1000);

/** Issue 11, finding 6: nonces and Idempotency-Keys are forgotten once they can matter no more. */
describe('what identity forgets, and when', () => {
  let identity: IdentityUnderTest;
  let producer: Producer;
  let published: TopicTap;
  let home: Household;
  let sweeper: ExpirySweeper;

  // The test sweeps by hand: the timer would race it.
  const fixture = useIdentity({ env: { EXPIRY_SWEEP_INTERVAL_MS: '3600000' }, conversation: true });
  beforeAll(async () => {
    ({ identity, producer, published } = fixture);
    sweeper = identity.app.get(ExpirySweeper);
    home = await registerHousehold(identity, { maria: { speaker: maria, role: 'owner' } }, 'kitchen-expiry');
  });

  const decisionFor = async (request: CallRequestedEnvelope) => {
    await producer.send({ topic: Topics.calls, messages: [{ key: request.streamId, value: JSON.stringify(request) }] });
    return eventually(() => {
      const [decision, ...more] = distinctEvents(published.messages.filter((m) => m.value.type.startsWith('Speaker') && m.value.data.callId === request.data.callId));
      expect(decision).toBeDefined();
      expect(more).toEqual([]);
      return decision.value;
    });
  };
  const nonceRows = async (nonce: string): Promise<number> =>
    (await identity.db.query(`SELECT count(*)::int AS n FROM assertion_nonces WHERE nonce = $1`, [nonce]))[0].n;

  it('forgets a burnt nonce once its assertion is older than NONCE_RETENTION_SECONDS, and keeps a recent one', async () => {
    const recent = home.device.assert({ subject: 'Mom', embedding: maria.utter() });
    expect(await decisionFor(callRequested(home.device.deviceId, 'Mom', recent))).toMatchObject({ type: 'SpeakerVerified' });
    const old = home.device.assert({ subject: 'Mom', embedding: maria.utter(), issuedAt: hoursAgo(2).toISOString() });
    await decisionFor(callRequested(home.device.deviceId, 'Mom', old, randomUUID(), hoursAgo(2, 1)));
    expect([await nonceRows(recent.nonce), await nonceRows(old.nonce)]).toEqual([1, 1]);

    expect((await sweeper.sweep()).nonces).toBeGreaterThanOrEqual(1);
    expect([await nonceRows(recent.nonce), await nonceRows(old.nonce)]).toEqual([1, 0]);
  });

  it('still refuses a replay of an assertion whose nonce it forgot, however early its request says it was made', async () => {
    const voice = home.device.assert({ subject: 'Mom', embedding: maria.utter(), issuedAt: hoursAgo(3).toISOString() });
    await decisionFor(callRequested(home.device.deviceId, 'Mom', voice, randomUUID(), hoursAgo(3, 1)));
    await sweeper.sweep();
    expect(await nonceRows(voice.nonce)).toBe(0);

    // Within the window of its (backdated) request: only the nonce store's horizon stands in the way.
    const replay = callRequested(home.device.deviceId, 'Mom', replayOf(voice), randomUUID(), hoursAgo(3, 2));
    expect(await decisionFor(replay)).toMatchObject({ type: 'SpeakerRejected', data: { reason: 'stale_assertion' } });
  });

  it('forgets Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_HOURS: the key then runs a request again', async () => {
    const path = `/v1/accounts/${home.accountId}/members`;
    const key = { 'idempotency-key': `add-${randomUUID()}` };
    expect((await identity.call('POST', path, { name: 'Ana', role: 'adult' }, key)).status).toBe(201);
    expect(await identity.call('POST', path, { name: 'Ben', role: 'adult' }, key)).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused' } });

    await identity.db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [key['idempotency-key']]);
    expect((await sweeper.sweep()).idempotencyKeys).toBe(1);
    expect((await identity.call('POST', path, { name: 'Ben', role: 'adult' }, key)).status).toBe(201);
  });

  it('forgets inbox rows older than INBOX_RETENTION_HOURS, a backlog of them in one sweep, and keeps the recent ones', async () => {
    const request = callRequested(home.device.deviceId, 'Mom', home.device.assert({ subject: 'Mom', embedding: maria.utter() }));
    await decisionFor(request);
    const [{ consumer }] = await identity.db.query(`SELECT consumer FROM es_inbox WHERE event_id = $1`, [request.id]);
    // 216 hours by default: a day more than Kafka can keep an event. More than one batch (1,000) of them.
    await identity.db.query(
      `INSERT INTO es_inbox (consumer, event_id, processed_at) SELECT $1, 'old-' || i, now() - interval '217 hours' FROM generate_series(1, 2500) i`,
      [consumer],
    );
    await identity.db.query(`INSERT INTO es_inbox (consumer, event_id, processed_at) VALUES ($1, 'eight-days-old', now() - interval '200 hours')`, [consumer]);

    expect((await sweeper.sweep()).inbox).toBe(2500);
    const left = await identity.db.query(`SELECT event_id FROM es_inbox WHERE event_id IN ($1, 'eight-days-old') OR event_id LIKE 'old-%' ORDER BY event_id`, [request.id]);
    expect(left.map((r: { event_id: string }) => r.event_id).sort()).toEqual([request.id, 'eight-days-old'].sort());
  });
});
