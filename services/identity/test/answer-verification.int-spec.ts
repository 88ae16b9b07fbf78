import { Topics } from '@homeline/contracts';
import { replayOf, simulatedSpeaker, type SimulatedSpeaker } from '@homeline/device-sim';
import { eventually } from '@homeline/testing';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { answerRequested, type AnswerRequestedEnvelope, type InboundCall } from './support/answer-requested';
import { registerHousehold, type Household } from './support/household';
import { useIdentity, type IdentityUnderTest } from './support/identity-app';
import { distinctEvents, tapTopic, type TopicTap } from './support/topic-tap';

const olivia = simulatedSpeaker('olivia');
const adam = simulatedSpeaker('adam');
const chloe = simulatedSpeaker('chloe');
const gus = simulatedSpeaker('gus');
const nora = simulatedSpeaker('nora');

describe('answering an inbound call, verified over Kafka', () => {
  let client: Kafka;
  let identity: IdentityUnderTest;
  let producer: Producer;
  let published: TopicTap;
  let home: Household;
  let neighbours: Household;

  const fixture = useIdentity({ conversation: true });
  beforeAll(async () => {
    ({ client, identity, producer, published } = fixture);
    home = await registerHousehold(identity, {
      olivia: { speaker: olivia, role: 'owner' }, adam: { speaker: adam, role: 'adult' },
      chloe: { speaker: chloe, role: 'child' }, gus: { speaker: gus, role: 'guest' },
    }, 'living-room-1');
    neighbours = await registerHousehold(identity, { nora: { speaker: nora, role: 'owner' } }, 'neighbour-den-1');
  });

  const send = async (envelope: AnswerRequestedEnvelope, key = envelope.streamId) => {
    await producer.send({ topic: Topics.calls, messages: [{ key, value: JSON.stringify(envelope), headers: { 'event-type': envelope.type } }] });
  };
  /** The answer decisions published for an answer attempt, each event once. */
  const decisionsFor = (answerId: string) =>
    distinctEvents(published.messages.filter((m) => m.value.type.startsWith('Answer') && m.value.data.answerId === answerId)).map((m) => m.value);
  const decisionFor = async (envelope: AnswerRequestedEnvelope) => {
    await send(envelope);
    const [decision] = await eventually(() => {
      const found = decisionsFor(envelope.data.answerId);
      expect(found).toHaveLength(1);
      return found;
    });
    return decision;
  };
  const inboundCall = (call: Partial<InboundCall> = {}): InboundCall => ({ callId: randomUUID(), accountId: home.accountId, ...call });
  /** The living-room speaker answering `call` with `speaker`'s voice. */
  const answer = (call: InboundCall, speaker: SimulatedSpeaker, similarity?: number) =>
    answerRequested(call, home.device.deviceId, home.device.assert({ purpose: 'answer-call', subject: call.callId, embedding: speaker.utter({ similarity }) }));

  it("authorizes the owner's answer on the answer's own stream, for the call's account", async () => {
    const request = answer(inboundCall(), olivia);
    const decision = await decisionFor(request);
    expect(decision).toMatchObject({
      type: 'AnswerAuthorized', source: 'identity', streamId: `answer-${request.data.answerId}`, streamVersion: 1,
      correlationId: request.data.callId, causationId: request.id, accountId: home.accountId,
      data: {
        callId: request.data.callId, answerId: request.data.answerId, accountId: home.accountId, deviceId: 'living-room-1',
        memberId: home.members.olivia, threshold: 0.75, liveness: 0.97, assurance: 'high',
      },
    });
  });

  it("refuses a child on a call from no contact, and takes the child's answer on a contact's call", async () => {
    expect(await decisionFor(answer(inboundCall(), chloe))).toMatchObject({
      type: 'AnswerRefused', data: { memberId: home.members.chloe, reason: 'not_permitted', accountId: home.accountId },
    });
    const grandma = await identity.call('POST', `/v1/accounts/${home.accountId}/contacts`, { name: 'Grandma', number: '+15550100201' });
    expect(grandma.status).toBe(201);
    expect(await decisionFor(answer(inboundCall({ from: '+15550100201', fromContact: true }), chloe))).toMatchObject({
      type: 'AnswerAuthorized', data: { memberId: home.members.chloe },
    });
  });

  it("takes a child's answer on a call from the child's own contact, not from a parent's own", async () => {
    const contact = (name: string, number: string, memberId: string) =>
      identity.call('POST', `/v1/accounts/${home.accountId}/contacts`, { name, number, memberId });
    expect((await contact('Dr Reyes', '+15550100202', home.members.olivia)).status).toBe(201);
    expect((await contact('Sam', '+15550100203', home.members.chloe)).status).toBe(201);
    // routing says both callers are contacts: each is, of someone in the household
    expect(await decisionFor(answer(inboundCall({ from: '+15550100202', fromContact: true }), chloe))).toMatchObject({
      type: 'AnswerRefused', data: { memberId: home.members.chloe, reason: 'not_permitted' },
    });
    expect(await decisionFor(answer(inboundCall({ from: '+15550100203', fromContact: true }), chloe))).toMatchObject({
      type: 'AnswerAuthorized', data: { memberId: home.members.chloe },
    });
    expect(await decisionFor(answer(inboundCall({ from: '+15550100202', fromContact: true }), olivia))).toMatchObject({
      type: 'AnswerAuthorized', data: { memberId: home.members.olivia },
    });
  });

  it('refuses a guest, even on a contact\'s call', async () => {
    expect(await decisionFor(answer(inboundCall({ fromContact: true }), gus))).toMatchObject({
      type: 'AnswerRefused', data: { memberId: home.members.gus, reason: 'not_permitted' },
    });
  });

  it('lets the owner answer a sensitive call at high assurance, and refuses her at standard', async () => {
    const bank = inboundCall({ sensitive: true });
    expect(await decisionFor(answer(bank, olivia, 0.93))).toMatchObject({ type: 'AnswerAuthorized', data: { memberId: home.members.olivia, assurance: 'high' } });
    expect(await decisionFor(answer(bank, olivia, 0.8))).toMatchObject({
      type: 'AnswerRefused', data: { memberId: home.members.olivia, reason: 'insufficient_assurance' },
    });
  });

  it('refuses an adult on a sensitive call until an owner grants answer_sensitive', async () => {
    const bank = inboundCall({ sensitive: true });
    expect(await decisionFor(answer(bank, adam, 0.95))).toMatchObject({ type: 'AnswerRefused', data: { memberId: home.members.adam, reason: 'not_permitted' } });
    const granted = await identity.call('PATCH', `/v1/accounts/${home.accountId}/members/${home.members.adam}`, { grant: ['answer_sensitive'] });
    expect(granted).toMatchObject({ status: 200, body: { grants: expect.arrayContaining(['domestic', 'answer_sensitive']) } });
    expect(await decisionFor(answer(bank, adam, 0.95))).toMatchObject({ type: 'AnswerAuthorized', data: { memberId: home.members.adam, assurance: 'high' } });
    await identity.call('PATCH', `/v1/accounts/${home.accountId}/members/${home.members.adam}`, { grant: [] });
  });

  it('refuses an answer assertion replayed with another answer, however genuine the first was', async () => {
    const call = inboundCall();
    const first = answer(call, olivia);
    expect((await decisionFor(first)).type).toBe('AnswerAuthorized');
    const replay = answerRequested(call, home.device.deviceId, replayOf(first.data.voice));
    expect(await decisionFor(replay)).toMatchObject({ type: 'AnswerRefused', data: { reason: 'replayed_assertion', memberId: null } });
  });

  it('refuses an assertion made to answer another call', async () => {
    const voice = home.device.assert({ purpose: 'answer-call', subject: randomUUID(), embedding: olivia.utter() });
    expect(await decisionFor(answerRequested(inboundCall(), home.device.deviceId, voice))).toMatchObject({
      type: 'AnswerRefused', data: { reason: 'assertion_mismatch' },
    });
  });

  it("refuses a device of another household as unlinked, without naming that household", async () => {
    const call = inboundCall();
    const voice = neighbours.device.assert({ purpose: 'answer-call', subject: call.callId, embedding: nora.utter() });
    const decision = await decisionFor(answerRequested(call, neighbours.device.deviceId, voice));
    expect(decision).toMatchObject({
      type: 'AnswerRefused', accountId: home.accountId,
      data: { accountId: home.accountId, deviceId: neighbours.device.deviceId, memberId: null, reason: 'unlinked_device' },
    });
    expect(JSON.stringify(decision)).not.toContain(neighbours.accountId);
  });

  it('decides an AnswerRequested delivered twice only once', async () => {
    const request = answer(inboundCall(), olivia);
    await send(request);
    await send(request);
    // A later answer on the same partition is decided only after both copies were consumed.
    const later = answer(inboundCall(), olivia);
    await send(later, request.streamId);
    await eventually(() => expect(decisionsFor(later.data.answerId)).toHaveLength(1));
    expect(decisionsFor(request.data.answerId)).toMatchObject([{ type: 'AnswerAuthorized', causationId: request.id }]);
  });

  it('decides one answer id once, even when asked again by another event', async () => {
    const request = answer(inboundCall(), olivia);
    expect((await decisionFor(request)).type).toBe('AnswerAuthorized');
    const call = inboundCall();
    const voice = home.device.assert({ purpose: 'answer-call', subject: call.callId, embedding: olivia.utter() });
    const again = answerRequested(call, home.device.deviceId, voice, new Date(), request.data.answerId);
    await send(again);
    const later = answer(inboundCall(), olivia);
    await send(later, again.streamId);
    await eventually(() => expect(decisionsFor(later.data.answerId)).toHaveLength(1));
    expect(decisionsFor(request.data.answerId)).toHaveLength(1);
  });

  it('dead-letters an AnswerRequested whose answer id PostgreSQL could never store, and goes on', async () => {
    const dlq = await tapTopic(client, `${Topics.calls}.dlq`);
    const good = answer(inboundCall(), olivia);
    const unstorable = { ...good, data: { ...good.data, answerId: `a\u0000${randomUUID()}` } };
    await send(unstorable);
    const later = answer(inboundCall(), olivia);
    await send(later, unstorable.streamId);
    await eventually(() => expect(decisionsFor(later.data.answerId)).toHaveLength(1));
    await eventually(() => expect(dlq.messages.map((m) => m.value.id)).toContain(unstorable.id));
    expect(dlq.messages.find((m) => m.value.id === unstorable.id)?.headers).toMatchObject({
      'dlq-reason-code': 'unstorable_text', 'dlq-reason': expect.stringMatching(/NUL/),
    });
    expect(decisionsFor(unstorable.data.answerId)).toEqual([]);
    await dlq.stop();
  });
});
