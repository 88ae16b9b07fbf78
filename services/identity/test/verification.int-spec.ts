import { Topics } from '@homeline/contracts';
import {
  forgedAssertion, replayOf, similarSpeaker, simulatedDevice, simulatedSpeaker, staleAssertion,
} from '@homeline/device-sim';
import { eventually } from '@homeline/testing';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { callRequested, type CallRequestedEnvelope } from './support/call-requested';
import { useIdentity, type IdentityUnderTest } from './support/identity-app';
import { registerHousehold, type Household } from './support/household';
import { distinctEvents, tapTopic, type TopicTap } from './support/topic-tap';

const maria = simulatedSpeaker('maria');
const jon = simulatedSpeaker('jon');
const stranger = simulatedSpeaker('stranger');
const ana = simulatedSpeaker('ana');
const anasSister = similarSpeaker(ana, 'anas-sister', 0.95);

describe('speaker verification over Kafka', () => {
  let client: Kafka;
  let identity: IdentityUnderTest;
  let producer: Producer;
  let published: TopicTap;
  let home: Household;
  let similar: Household;

  const fixture = useIdentity({ conversation: true });
  beforeAll(async () => {
    ({ client, identity, producer, published } = fixture);
    home = await registerHousehold(identity, { maria: { speaker: maria, role: 'owner' }, jon: { speaker: jon, role: 'adult' } }, 'kitchen-1');
    similar = await registerHousehold(identity, { ana: { speaker: ana, role: 'owner' }, sister: { speaker: anasSister, role: 'adult' } }, 'den-1');
  });

  const send = async (envelope: CallRequestedEnvelope, key = envelope.streamId) => {
    await producer.send({ topic: Topics.calls, messages: [{ key, value: JSON.stringify(envelope), headers: { 'event-type': envelope.type } }] });
  };
  /** The speaker decisions published for a call, each event once. */
  const decisionsFor = (callId: string) =>
    distinctEvents(published.messages.filter((m) => m.value.type.startsWith('Speaker') && m.value.data.callId === callId)).map((m) => m.value);
  const decisionFor = async (envelope: CallRequestedEnvelope) => {
    await send(envelope);
    const [decision] = await eventually(() => {
      const found = decisionsFor(envelope.data.callId);
      expect(found).toHaveLength(1);
      return found;
    });
    return decision;
  };
  const placeCall = (household: Household, speaker: typeof maria, request: { target?: string; liveness?: number } = {}) => {
    const target = request.target ?? 'Mom';
    return callRequested(household.device.deviceId, target, household.device.assert({ subject: target, embedding: speaker.utter(), liveness: request.liveness }));
  };

  it('verifies the owner speaking on a linked device', async () => {
    const request = placeCall(home, maria);
    const decision = await decisionFor(request);
    expect(decision).toMatchObject({
      type: 'SpeakerVerified', source: 'identity', streamId: `verification-${request.data.callId}`,
      correlationId: request.data.callId, causationId: request.id, accountId: home.accountId,
      data: { callId: request.data.callId, accountId: home.accountId, deviceId: 'kitchen-1', memberId: home.members.maria, threshold: 0.75, decision: 'accept' },
    });
    expect(decision.data.score).toBeGreaterThanOrEqual(0.75);
    expect(decision.data.liveness).toBe(0.97);
  });

  it('tells household members apart', async () => {
    const decision = await decisionFor(placeCall(home, jon));
    expect(decision).toMatchObject({ type: 'SpeakerVerified', data: { memberId: home.members.jon } });
  });

  it.each([
    ['a forged signature', 'invalid_signature', () => callRequested('kitchen-1', 'Mom', forgedAssertion('kitchen-1', { subject: 'Mom', embedding: maria.utter() }))],
    ['a stale assertion', 'stale_assertion', () => callRequested('kitchen-1', 'Mom', staleAssertion(home.device, { subject: 'Mom', embedding: maria.utter() }, 120))],
    ['an impostor\'s voice', 'speaker_not_verified', () => placeCall(home, stranger)],
    ['a low liveness score', 'low_liveness', () => placeCall(home, maria, { liveness: 0.4 })],
    ['two enrolled voices too similar to tell apart', 'ambiguous_speaker', () => placeCall(similar, ana)],
    ['an embedding of 1e308s, whose score would be NaN', 'speaker_not_verified', () =>
      callRequested('kitchen-1', 'Mom', home.device.assert({ subject: 'Mom', embedding: maria.voiceprint.map((x) => Math.sign(x) * 1e308) }))],
    ['an assertion made for another target', 'assertion_mismatch', () =>
      callRequested('kitchen-1', '+1 900 555 0100', home.device.assert({ subject: 'Mom', embedding: maria.utter() }))],
  ])('rejects %s as %s', async (_case, reason, request) => {
    const decision = await decisionFor(request());
    expect(decision).toMatchObject({ type: 'SpeakerRejected', accountId: expect.any(String), data: { reason, decision: 'reject' } });
  });

  it('judges freshness when the call was requested, so a backlog does not make a genuine request stale', async () => {
    const requestedAt = new Date(Date.now() - 10 * 60_000);
    const voice = home.device.assert({ subject: 'Mom', embedding: maria.utter(), issuedAt: new Date(requestedAt.getTime() - 2_000).toISOString() });
    const decision = await decisionFor(callRequested(home.device.deviceId, 'Mom', voice, randomUUID(), requestedAt));
    expect(decision).toMatchObject({ type: 'SpeakerVerified', data: { memberId: home.members.maria } });
  });

  it('rejects a device linked to no household, with no account', async () => {
    const unknown = simulatedDevice('garage-unlinked');
    const decision = await decisionFor(callRequested(unknown.deviceId, 'Mom', unknown.assert({ subject: 'Mom', embedding: maria.utter() })));
    expect(decision).toMatchObject({ type: 'SpeakerRejected', accountId: null, data: { accountId: null, deviceId: 'garage-unlinked', reason: 'unlinked_device' } });
  });

  it('rejects an assertion replayed with a new call, however genuine the first was', async () => {
    const first = placeCall(home, maria);
    expect((await decisionFor(first)).type).toBe('SpeakerVerified');
    const replay = callRequested(home.device.deviceId, 'Mom', replayOf(first.data.voice));
    expect(await decisionFor(replay)).toMatchObject({ type: 'SpeakerRejected', data: { reason: 'replayed_assertion' } });
  });

  it('lets only one of two calls sent at once with the same assertion through', async () => {
    const voice = home.device.assert({ subject: 'Mom', embedding: maria.utter() });
    const calls = [callRequested(home.device.deviceId, 'Mom', voice), callRequested(home.device.deviceId, 'Mom', replayOf(voice))];
    await producer.send({ topic: Topics.calls, messages: calls.map((c) => ({ key: c.streamId, value: JSON.stringify(c) })) });
    const decisions = await eventually(() => {
      const found = calls.flatMap((c) => decisionsFor(c.data.callId));
      expect(found).toHaveLength(2);
      return found;
    });
    expect(decisions.map((d) => d.data.reason ?? d.type).sort()).toEqual(['SpeakerVerified', 'replayed_assertion']);
  });

  it('answers a CallRequested delivered twice only once', async () => {
    const request = placeCall(home, maria);
    await send(request);
    await send(request);
    // A later request on the same partition is answered only after both copies were consumed.
    const later = placeCall(home, maria);
    await send(later, request.streamId);
    await eventually(() => expect(decisionsFor(later.data.callId)).toHaveLength(1));
    expect(decisionsFor(request.data.callId)).toHaveLength(1);
  });

  it('answers once when two copies of a CallRequested are consumed at once, from two partitions', async () => {
    const request = placeCall(home, maria);
    const copies = [0, 1].map((partition) => ({ partition, key: request.streamId, value: JSON.stringify(request), headers: { 'event-type': request.type } }));
    await producer.send({ topic: Topics.calls, messages: copies });
    // Later requests on both partitions are answered only after both copies were consumed.
    const later = [0, 1].map(() => placeCall(home, maria));
    await producer.send({ topic: Topics.calls, messages: later.map((c, partition) => ({ partition, key: c.streamId, value: JSON.stringify(c) })) });
    await eventually(() => later.forEach((c) => expect(decisionsFor(c.data.callId)).toHaveLength(1)));
    expect(decisionsFor(request.data.callId)).toMatchObject([{ type: 'SpeakerVerified', causationId: request.id }]);
  });

  it('ignores the other events of the calls topic and dead-letters a CallRequested that breaks its contract', async () => {
    const dlq = await tapTopic(client, `${Topics.calls}.dlq`);
    const broken = placeCall(home, maria);
    await send({ ...broken, data: { ...broken.data, voice: { ...broken.data.voice, liveness: 7 } } });
    const other = { ...placeCall(home, maria), type: 'CallRinging' };
    await send(other as CallRequestedEnvelope, broken.streamId);
    const later = placeCall(home, maria);
    await send(later, broken.streamId);
    await eventually(() => expect(decisionsFor(later.data.callId)).toHaveLength(1));
    await eventually(() => expect(dlq.messages.map((m) => m.value.id)).toEqual([broken.id]));
    expect(dlq.messages[0].headers['dlq-reason']).toMatch(/liveness/);
    expect(decisionsFor(broken.data.callId)).toEqual([]);
    expect(decisionsFor(other.data.callId)).toEqual([]);
    await dlq.stop();
  });

  it('dead-letters a CallRequested whose ids PostgreSQL could never store, or whose nonce or issue time is beyond the contract\'s bounds, and goes on', async () => {
    const dlq = await tapTopic(client, `${Topics.calls}.dlq`);
    const withNul = callRequested('kitchen-1\u0000', 'Mom', home.device.assert({ subject: 'Mom', embedding: maria.utter() }));
    const hugeNonce = placeCall(home, maria);
    const signedHuge = home.device.assert({ subject: 'Mom', embedding: maria.utter(), nonce: 'n'.repeat(3000) });
    const withHugeNonce = { ...hugeNonce, data: { ...hugeNonce.data, voice: signedHuge } };
    // Now, written at +16:00: a fresh instant, signed by the device, that PostgreSQL will not take as a time.
    const farOffset = placeCall(home, maria);
    const issuedAt = new Date(Date.now() + 16 * 3_600_000).toISOString().replace('Z', '+16:00');
    const withFarOffset = { ...farOffset, data: { ...farOffset.data, voice: home.device.assert({ subject: 'Mom', embedding: maria.utter(), issuedAt }) } };
    for (const request of [withNul, withHugeNonce, withFarOffset]) await send(request, withNul.streamId);
    const later = placeCall(home, maria);
    await send(later, withNul.streamId);
    await eventually(() => expect(decisionsFor(later.data.callId)).toHaveLength(1));
    await eventually(() => expect(dlq.messages.map((m) => m.value.id)).toEqual(expect.arrayContaining([withNul.id, withHugeNonce.id, withFarOffset.id])));
    expect(dlq.messages.find((m) => m.value.id === withNul.id)?.headers).toMatchObject({
      'dlq-reason-code': 'unstorable_text', 'dlq-consumer-group': 'homeline-identity', 'dlq-reason': expect.stringMatching(/NUL/),
    });
    expect(dlq.messages.find((m) => m.value.id === withHugeNonce.id)?.headers).toMatchObject({
      'dlq-reason-code': 'invalid_event', 'dlq-consumer-group': 'homeline-identity', 'dlq-reason': expect.stringMatching(/nonce/),
    });
    expect(dlq.messages.find((m) => m.value.id === withFarOffset.id)?.headers).toMatchObject({
      'dlq-reason-code': 'invalid_event', 'dlq-reason': expect.stringMatching(/issuedAt/),
    });
    for (const request of [withNul, withHugeNonce, withFarOffset]) expect(decisionsFor(request.data.callId)).toEqual([]);
    await dlq.stop();
  });

  it('publishes the registry events on the identity topic, keyed by account stream, without embeddings', async () => {
    const events = await eventually(() => {
      const found = distinctEvents(published.messages.filter((m) => m.key === `account-${home.accountId}`));
      expect(found).toHaveLength(6);
      return found;
    });
    expect(events.map((m) => m.headers['event-type'])).toEqual([
      'AccountOpened', 'MemberAdded', 'VoiceprintEnrolled', 'MemberAdded', 'VoiceprintEnrolled', 'DeviceLinked',
    ]);
    expect(events[0].value).toMatchObject({
      type: 'AccountOpened', source: 'identity', streamId: `account-${home.accountId}`, streamVersion: 1,
      correlationId: home.accountId, accountId: home.accountId, data: { accountId: home.accountId, address: { country: 'US' } },
    });
    expect(events[2].value.data).toEqual({ accountId: home.accountId, memberId: home.members.maria, voiceprintId: expect.any(String), dimensions: 192 });
    expect(JSON.stringify(events)).not.toContain(String(maria.voiceprint[0]));
  });
});
