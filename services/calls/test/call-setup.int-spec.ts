import { randomUUID } from 'node:crypto';
import { Headers, Topics, type Envelope } from '@homeline/contracts';
import { simulatedDevice, simulatedSpeaker } from '@homeline/device-sim';
import { Logger } from '@nestjs/common';
import { createServiceApp, type ServiceApp } from '@homeline/platform';
import { eventually, startTestKafka, startTestPostgres, type TestKafka, type TestPostgres } from '@homeline/testing';
import type { Producer } from 'kafkajs';
import { Client } from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';
import { callsService } from '../src/app.module';
import { ExpirySweeper } from '../src/edges/expiry-sweeper';
import type { CallsConfig } from '../src/config';

const token = 'integration-token-for-tests';

/** The calls service alone, on real PostgreSQL and the broker; identity's and routing's answers are produced by the test. */
describe('the call-setup process manager', () => {
  let postgres: TestPostgres;
  let kafka: TestKafka;
  let calls: ServiceApp<CallsConfig>;
  let base: string;
  let producer: Producer;
  let db: Client;

  beforeAll(async () => {
    postgres = await startTestPostgres();
    kafka = await startTestKafka();
    const databaseUrl = await postgres.createDatabase();
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    calls = await createServiceApp(callsService, {
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: kafka.brokers.join(','),
      INTEGRATION_TOKEN: token,
      LOG_LEVEL: 'warn',
      CALL_VERIFICATION_TIMEOUT_MS: '60000',
      CALL_ANSWER_OFFER_WAIT_MS: '20000', // however slowly this machine consumes the offer
    });
    await calls.app.listen(0, '127.0.0.1');
    base = await calls.app.getUrl();
    producer = kafka.client().producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await db?.end();
    await calls?.app.close();
    await kafka?.stop();
    await postgres?.stop();
  });

  const http = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { timeline?: Array<{ type: string }> } };
  };

  const placeCall = async () => {
    const device = simulatedDevice(`dev-${randomUUID()}`);
    const voice = device.assert({ subject: 'Mom', embedding: simulatedSpeaker('alex').utter() });
    const { status, body } = await http('POST', '/v1/calls', { deviceId: device.deviceId, target: 'Mom', voice });
    expect(status).toBe(202);
    return { callId: String(body.callId), deviceId: device.deviceId };
  };

  const answer = (type: string, callId: string, data: Record<string, unknown>): Envelope => ({
    id: randomUUID(), type, source: 'identity', streamId: `verification-${callId}`, streamVersion: 1,
    occurredAt: new Date().toISOString(), correlationId: callId, causationId: null, accountId: 'acc-1', data,
  });

  const publish = (envelope: Envelope) =>
    producer.send({ topic: Topics.identity, messages: [{ key: envelope.streamId, value: JSON.stringify(envelope) }] });

  /** Proof that calls' consumer has processed an event (its inbox row commits with the effects). */
  const processed = (eventId: string) =>
    eventually(async () => expect((await db.query(`SELECT 1 FROM es_inbox WHERE event_id = $1`, [eventId])).rowCount).toBe(1));

  /** The dead letter of the event `eventId` on `topic`: its reason code and the consumer group that refused it. */
  const deadLetterOf = async (eventId: string, topic: string) => {
    const found: Array<{ code: string; group: string }> = [];
    const consumer = kafka.client().consumer({ groupId: `dlq-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (!message.value?.toString().includes(eventId)) return;
        found.push({ code: String(message.headers?.[Headers.dlqReasonCode]), group: String(message.headers?.[Headers.dlqConsumerGroup]) });
      },
    });
    try {
      return await eventually(() => {
        expect(found).toHaveLength(1);
        return found[0];
      });
    } finally {
      await consumer.disconnect();
    }
  };

  const registry = (type: string, accountId: string, data: Record<string, unknown>): Envelope => ({
    id: randomUUID(), type, source: 'identity', streamId: `account-${accountId}`, streamVersion: 1,
    occurredAt: new Date().toISOString(), correlationId: accountId, causationId: null, accountId, data,
  });

  it('hands a verified call to routing once, though identity\'s answer arrives twice', async () => {
    const { callId, deviceId } = await placeCall();
    const verified = answer('SpeakerVerified', callId, {
      callId, accountId: 'acc-1', deviceId, memberId: 'mem-1', score: 0.93, threshold: 0.75, margin: 0.6, liveness: 0.97, assurance: 'standard', decision: 'accept',
    });
    await publish(verified);
    await eventually(async () => expect((await http('GET', `/v1/calls/${callId}`)).body).toMatchObject({ status: 'routing', memberId: 'mem-1' }));
    // The copy travels on the same partition (same key) ahead of a marker: once the marker is processed, so was the copy.
    const marker = answer('SpeakerRejected', randomUUID(), { callId: randomUUID(), accountId: null, deviceId, reason: 'unlinked_device', decision: 'reject' });
    await publish(verified);
    await publish({ ...marker, streamId: verified.streamId });
    await processed(marker.id);
    const { body } = await http('GET', `/v1/calls/${callId}`);
    expect(body.timeline!.map((e) => e.type)).toEqual(['CallRequested', 'CallRouting']);

    // Its end is the account's too, on the envelope a consumer filtering by account reads.
    expect((await http('POST', `/v1/calls/${callId}/hangup`)).body).toMatchObject({ status: 'ended' });
    const accounts = await db.query(`SELECT type, account_id FROM es_events WHERE stream_id = $1 ORDER BY stream_version`, [`call-${callId}`]);
    expect(accounts.rows).toEqual([
      { type: 'CallRequested', account_id: null },
      { type: 'CallRouting', account_id: 'acc-1' },
      { type: 'CallEnded', account_id: 'acc-1' },
    ]);
  });

  it('takes no SpeakerVerified from a topic identity does not own: another service writing it there routes nothing', async () => {
    const { callId, deviceId } = await placeCall();
    // routing's Kafka user may write homeline.routing.v1: a "SpeakerVerified from identity" there is forged.
    const forged = answer('SpeakerVerified', callId, {
      callId, accountId: 'acc-1', deviceId, memberId: 'mem-1', score: 0.93, threshold: 0.75, margin: 0.6, liveness: 0.97, assurance: 'standard', decision: 'accept',
    });
    await producer.send({ topic: Topics.routing, messages: [{ key: forged.streamId, value: JSON.stringify(forged) }] });
    const dead = await deadLetterOf(forged.id, `${Topics.routing}.dlq`);
    expect(dead).toMatchObject({ code: 'wrong_topic', group: 'homeline-calls' });
    const { body } = await http('GET', `/v1/calls/${callId}`);
    expect({ status: body.status, timeline: body.timeline!.map((e) => e.type) }).toEqual({ status: 'verifying', timeline: ['CallRequested'] });
  });

  it('logs a dead letter as one of the service\'s JSON log lines, not as bare console text', async () => {
    const nest = jest.spyOn(Logger.prototype, 'warn');
    const bare = jest.spyOn(console, 'warn');
    try {
      const { callId, deviceId } = await placeCall();
      const forged = answer('SpeakerVerified', callId, {
        callId, accountId: 'acc-1', deviceId, memberId: 'mem-1', score: 0.93, threshold: 0.75, margin: 0.6, liveness: 0.97, assurance: 'standard', decision: 'accept',
      });
      await producer.send({ topic: Topics.routing, messages: [{ key: forged.streamId, value: JSON.stringify(forged) }] });
      await deadLetterOf(forged.id, `${Topics.routing}.dlq`);
      expect(nest).toHaveBeenCalledWith(expect.objectContaining({ msg: 'message dead-lettered', consumer: 'homeline-calls', code: 'wrong_topic' }));
      expect(bare.mock.calls.filter(([message]) => message === 'message dead-lettered')).toEqual([]);
    } finally {
      nest.mockRestore();
      bare.mockRestore();
    }
  });

  it('dead-letters a SpeakerVerified holding text PostgreSQL cannot store, and takes the answer behind it', async () => {
    const hostile = await placeCall();
    const next = await placeCall();
    const verified = (call: { callId: string; deviceId: string }, memberId: string) =>
      answer('SpeakerVerified', call.callId, {
        callId: call.callId, accountId: 'acc-1', deviceId: call.deviceId, memberId, score: 0.93, threshold: 0.75, margin: 0.6, liveness: 0.97, assurance: 'standard', decision: 'accept',
      });
    const unstorable = verified(hostile, 'mem-\u0000');
    // One key: one partition, the valid answer behind the hostile one.
    await publish(unstorable);
    await publish({ ...verified(next, 'mem-1'), streamId: unstorable.streamId });
    expect(await deadLetterOf(unstorable.id, `${Topics.identity}.dlq`)).toEqual({ code: 'unstorable_text', group: 'homeline-calls' });
    await eventually(async () => expect((await http('GET', `/v1/calls/${next.callId}`)).body).toMatchObject({ status: 'routing', memberId: 'mem-1' }));
    expect((await http('GET', `/v1/calls/${hostile.callId}`)).body).toMatchObject({ status: 'verifying' });
  });

  /** A calls_outcomes_total series on /metrics (0 when absent). */
  const outcomes = async (outcome: string, reason: string) => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return Number(new RegExp(`^calls_outcomes_total\\{outcome="${outcome}",reason="${reason}"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  };

  it('rejects the call with identity\'s reason when the device is trusted by no household, and counts it on /metrics', async () => {
    const before = await outcomes('rejected', 'unlinked_device');
    const { callId, deviceId } = await placeCall();
    await publish(answer('SpeakerRejected', callId, { callId, accountId: null, deviceId, reason: 'unlinked_device', decision: 'reject' }));
    await eventually(async () => expect((await http('GET', `/v1/calls/${callId}`)).body).toMatchObject({ status: 'rejected', reason: 'unlinked_device' }));
    // Counted once its CallRejected is published.
    await eventually(async () => expect(await outcomes('rejected', 'unlinked_device')).toBe(before + 1));
  });

  it('cancels a call the caller hangs up before it connects, and a late answer changes nothing', async () => {
    const { callId, deviceId } = await placeCall();
    const ended = await outcomes('ended', 'cancelled');
    expect((await http('POST', `/v1/calls/${callId}/hangup`)).body).toMatchObject({ status: 'ended', reason: 'cancelled' });
    await eventually(async () => expect(await outcomes('ended', 'cancelled')).toBe(ended + 1));
    const late = answer('SpeakerVerified', callId, {
      callId, accountId: 'acc-1', deviceId, memberId: 'mem-1', score: 0.93, threshold: 0.75, margin: 0.6, liveness: 0.97, assurance: 'standard', decision: 'accept',
    });
    await publish(late);
    await processed(late.id);
    expect((await http('GET', `/v1/calls/${callId}`)).body).toMatchObject({ status: 'ended', reason: 'cancelled' });
  });

  /** A US household with one linked device, as calls' projection of identity's registry holds it. */
  const linkedDevice = async (device = simulatedDevice(`dev-${randomUUID()}`)) => {
    const accountId = randomUUID();
    const address = { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' };
    await publish(registry('AccountOpened', accountId, { accountId, msisdn: '+15550100001', displayName: 'Home', timezone: 'America/Chicago', address }));
    const linked = registry('DeviceLinked', accountId, { accountId, deviceId: device.deviceId, name: 'Kitchen', publicKey: device.publicKey, location: null });
    await publish(linked);
    await processed(linked.id);
    return { accountId, device };
  };

  it('routes an emergency call from a linked device at once, without waiting for identity, and lets its assertion through once', async () => {
    const { accountId, device } = await linkedDevice();

    const voice = device.assert({ subject: '911', embedding: simulatedSpeaker('stranger').utter(), liveness: 0.1 });
    const first = await http('POST', '/v1/calls', { deviceId: device.deviceId, target: '911', voice });
    expect(first).toMatchObject({ status: 202, body: { status: 'routing' } });
    const call = (await http('GET', `/v1/calls/${String(first.body.callId)}`)).body as { timeline: { type: string; data: Record<string, unknown> }[] };
    expect(call.timeline.map((e) => e.type)).toEqual(['CallRequested', 'CallRouting']);
    expect(call.timeline[1].data).toMatchObject({ accountId, verified: false, memberId: null });

    // The same signed request again: not on calls' judgement a second time; it waits for identity.
    expect(await http('POST', '/v1/calls', { deviceId: device.deviceId, target: '911', voice })).toMatchObject({ status: 202, body: { status: 'verifying' } });
    // An ordinary number from the same device waits for identity too.
    const mom = device.assert({ subject: '+15550100002', embedding: simulatedSpeaker('stranger').utter() });
    expect(await http('POST', '/v1/calls', { deviceId: device.deviceId, target: '+15550100002', voice: mom })).toMatchObject({ body: { status: 'verifying' } });
  });

  it('does not route on its own an emergency assertion it first sent to identity (the device not yet known here): a replay waits for identity', async () => {
    const device = simulatedDevice(`dev-${randomUUID()}`);
    const voice = device.assert({ subject: '911', embedding: simulatedSpeaker('stranger').utter(), liveness: 0.1 });
    // calls does not know the device yet (its projection lags identity): the request waits for identity, which burns the nonce.
    expect(await http('POST', '/v1/calls', { deviceId: device.deviceId, target: '911', voice })).toMatchObject({ status: 202, body: { status: 'verifying' } });
    await linkedDevice(device);
    // The same signed request once calls knows the device: not a second emergency call on calls' judgement.
    expect(await http('POST', '/v1/calls', { deviceId: device.deviceId, target: '911', voice })).toMatchObject({ status: 202, body: { status: 'verifying' } });
    // A fresh assertion from it routes at once, as any emergency call from a linked device.
    const fresh = device.assert({ subject: '911', embedding: simulatedSpeaker('stranger').utter(), liveness: 0.1 });
    expect(await http('POST', '/v1/calls', { deviceId: device.deviceId, target: '911', voice: fresh })).toMatchObject({ status: 202, body: { status: 'routing' } });
  });

  it('knows each device where identity last put it: link and unlink in one batch, a relink, a move between households read out of order', async () => {
    const household = async () => {
      const accountId = randomUUID();
      const address = { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' };
      const opened = registry('AccountOpened', accountId, { accountId, msisdn: '+15550100001', displayName: 'Home', timezone: 'America/Chicago', address });
      await publish(opened);
      await processed(opened.id);
      return accountId;
    };
    const [a, b] = [await household(), await household()];
    const device = simulatedDevice(`dev-${randomUUID()}`);
    const start = Date.now() - 60_000;
    const deviceEvent = (type: 'DeviceLinked' | 'DeviceUnlinked', accountId: string, second: number): Envelope => ({
      ...registry(type, accountId, { accountId, deviceId: device.deviceId, name: 'Kitchen', publicKey: device.publicKey, location: null }),
      occurredAt: new Date(start + second * 1000).toISOString(),
    });
    // Several events in one produce request to one partition: the consumer takes them in one batch.
    const publishTogether = async (...events: Envelope[]) => {
      await producer.send({ topic: Topics.identity, messages: events.map((e) => ({ key: e.streamId, value: JSON.stringify(e) })) });
      await processed(events[events.length - 1].id);
    };
    /** The account calls routes an emergency call from the device under on its own, or null when it waits for identity. */
    const recognisedUnder = async () => {
      const voice = device.assert({ subject: '911', embedding: simulatedSpeaker('stranger').utter(), liveness: 0.1 });
      const placed = await http('POST', '/v1/calls', { deviceId: device.deviceId, target: '911', voice });
      if (placed.body.status !== 'routing') return null;
      const call = (await http('GET', `/v1/calls/${String(placed.body.callId)}`)).body as { timeline: { type: string; data: Record<string, unknown> }[] };
      return call.timeline[1].data.accountId;
    };

    await publishTogether(deviceEvent('DeviceLinked', a, 1), deviceEvent('DeviceUnlinked', a, 2));
    expect(await recognisedUnder()).toBeNull();
    await publishTogether(deviceEvent('DeviceLinked', a, 3), deviceEvent('DeviceUnlinked', a, 4), deviceEvent('DeviceLinked', a, 5));
    expect(await recognisedUnder()).toBe(a);
    // Moved to b: unlinked from a at 6 s, linked to b at 7 s, on two partitions; b's link is read first.
    await publishTogether(deviceEvent('DeviceLinked', b, 7));
    expect(await recognisedUnder()).toBe(b);
    await publishTogether(deviceEvent('DeviceUnlinked', a, 6));
    expect(await recognisedUnder()).toBe(b);
    // a's history read again from the beginning (a new consumer group, a rebuild): its old link is older than b's.
    await publishTogether(deviceEvent('DeviceLinked', a, 5));
    expect(await recognisedUnder()).toBe(b);
  });

  it('keeps the target exactly as the device signed it: "911 " from speech-to-text still routes at once', async () => {
    const { device } = await linkedDevice();

    const voice = device.assert({ subject: '911 \n', embedding: simulatedSpeaker('stranger').utter(), liveness: 0.1 });
    const placed = await http('POST', '/v1/calls', { deviceId: device.deviceId, target: '911 \n', voice });
    expect(placed).toMatchObject({ status: 202, body: { status: 'routing' } });
    const call = (await http('GET', `/v1/calls/${String(placed.body.callId)}`)).body as { timeline: { type: string; data: Record<string, unknown> }[] };
    expect(call.timeline[0]).toMatchObject({ type: 'CallRequested', data: { target: '911 \n' } });
    // Blank is still no target.
    expect(await http('POST', '/v1/calls', { deviceId: device.deviceId, target: '  ', voice: device.assert({ subject: '  ', embedding: simulatedSpeaker('stranger').utter() }) }))
      .toMatchObject({ status: 400 });
  });

  it('refuses a voice assertion whose nonce is too long to keep with 400, on the emergency path too', async () => {
    const { device } = await linkedDevice();
    for (const target of ['911', 'Mom']) {
      const voice = device.assert({ subject: target, embedding: simulatedSpeaker('stranger').utter(), nonce: 'n'.repeat(3000) });
      const refused = await http('POST', '/v1/calls', { deviceId: device.deviceId, target, voice });
      expect(refused).toMatchObject({ status: 400 });
      expect(JSON.stringify(refused.body)).toContain('nonce');
    }
  });

  describe('an inbound call', () => {
    const routingEvent = (type: string, callId: string, data: Record<string, unknown>): Envelope => ({
      id: randomUUID(), type, source: 'routing', streamId: `inbound-${callId}`, streamVersion: 1,
      occurredAt: new Date().toISOString(), correlationId: callId, causationId: null, accountId: 'acc-1', data,
    });
    const identityEvent = (type: string, callId: string, data: Record<string, unknown>): Envelope => ({
      ...routingEvent(type, callId, data), source: 'identity', streamId: `answer-${String(data.answerId)}`,
    });
    /** routing's offer of a new call, delivered `copies` times (a redelivery after a lost offset commit). */
    const offer = async (copies = 1) => {
      const callId = randomUUID();
      const offered = routingEvent('InboundCallOffered', callId, {
        callId, accountId: 'acc-1', carrierCallId: `carrier-${callId}`, from: '+15550100123', to: '+15550100001', sensitive: false,
        callerName: 'Bank', fromContact: true, devices: ['kitchen', 'bedroom', 'office'], emergencyCallback: false,
      });
      const message = { key: offered.streamId, value: JSON.stringify(offered) };
      await producer.send({ topic: Topics.routing, messages: Array.from({ length: copies }, () => message) });
      await processed(offered.id);
      return callId;
    };
    const answerWith = (callId: string, deviceId: string) => {
      const device = simulatedDevice(deviceId);
      const voice = device.assert({ purpose: 'answer-call', subject: callId, embedding: simulatedSpeaker('alex').utter() });
      return http('POST', `/v1/calls/${callId}/answer`, { deviceId, voice });
    };

    it('rings the offered devices and takes an answer to identity', async () => {
      const callId = await offer();
      expect((await http('GET', `/v1/calls/${callId}`)).body).toMatchObject({
        direction: 'inbound', status: 'ringing', from: '+15550100123', callerName: 'Bank', sensitive: false,
        devices: [{ deviceId: 'kitchen', state: 'ringing' }, { deviceId: 'bedroom', state: 'ringing' }, { deviceId: 'office', state: 'ringing' }],
      });
      expect(await answerWith(callId, 'kitchen')).toMatchObject({ status: 202, body: { callId, status: 'ringing' } });
      const { body } = await http('GET', `/v1/calls/${callId}`);
      expect(body.timeline!.map((e) => e.type)).toEqual(['CallOffered', 'AnswerRequested']);
      expect(JSON.stringify(body)).not.toContain('signature'); // the assertion never shows
    });

    it('takes an answer that comes before calls has read the offer that rang the device (devices ring off routing\'s topic)', async () => {
      const callId = randomUUID();
      const offered = routingEvent('InboundCallOffered', callId, {
        callId, accountId: 'acc-1', carrierCallId: `carrier-${callId}`, from: '+15550100123', to: '+15550100001', sensitive: false,
        callerName: null, fromContact: false, devices: ['kitchen'], emergencyCallback: false,
      });
      const answering = answerWith(callId, 'kitchen'); // sent first: calls knows no such call yet
      await producer.send({ topic: Topics.routing, messages: [{ key: offered.streamId, value: JSON.stringify(offered) }] });
      expect(await answering).toMatchObject({ status: 202, body: { callId, status: 'ringing' } });
    });

    it('answers a retried answer with its Idempotency-Key as the first, without asking identity twice', async () => {
      const callId = await offer();
      const device = simulatedDevice('bedroom');
      const body = JSON.stringify({ deviceId: 'bedroom', voice: device.assert({ purpose: 'answer-call', subject: callId, embedding: simulatedSpeaker('alex').utter() }) });
      const send = async (key: string) => {
        const response = await fetch(`${base}/v1/calls/${callId}/answer`, {
          method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key }, body,
        });
        return { status: response.status, body: await response.json() };
      };
      const first = await send(`answer-${callId}`);
      expect(first).toEqual({ status: 202, body: { callId, status: 'ringing' } });
      expect(await send(`answer-${callId}`)).toEqual(first);
      const { body: call } = await http('GET', `/v1/calls/${callId}`);
      expect(call.timeline!.map((e) => e.type)).toEqual(['CallOffered', 'AnswerRequested']);
      // An id no call can have is unknown, key or not.
      expect((await fetch(`${base}/v1/calls/${'x'.repeat(3000)}/answer`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'k-long' }, body,
      })).status).toBe(404);
    });

    it('connects exactly one of two answers identity allowed in the same batch, and refuses answers after', async () => {
      const callId = await offer();
      const allowed = (deviceId: string, memberId: string) =>
        identityEvent('AnswerAuthorized', callId, {
          callId, answerId: randomUUID(), accountId: 'acc-1', deviceId, memberId, score: 0.9, threshold: 0.75, margin: 0.5, liveness: 0.97, assurance: 'standard',
        });
      const [first, second] = [allowed('bedroom', 'alex'), allowed('kitchen', 'sam')];
      await producer.send({ topic: Topics.identity, messages: [first, second].map((e) => ({ key: `answer-race-${callId}`, value: JSON.stringify(e) })) });
      await processed(second.id);
      const { body } = await http('GET', `/v1/calls/${callId}`);
      expect(body).toMatchObject({
        status: 'connected', memberId: 'alex', deviceId: 'bedroom',
        devices: [{ deviceId: 'kitchen', state: 'refused', reason: 'already_answered' }, { deviceId: 'bedroom', state: 'answered' }, { deviceId: 'office', state: 'cancelled', reason: 'answered_elsewhere' }],
      });
      expect(body.timeline!.map((e) => e.type)).toEqual(['CallOffered', 'CallConnected', 'CallAnswerRefused']);
      expect(await answerWith(callId, 'office')).toMatchObject({ status: 409, body: { code: 'already_answered' } });
    });

    it('has one effect of each inbound event delivered twice: the offer, a refusal, an authorization, the caller leaving', async () => {
      const callId = await offer(2);
      const decision = (type: string, data: Record<string, unknown>) =>
        identityEvent(type, callId, { callId, answerId: randomUUID(), accountId: 'acc-1', ...data });
      const refused = decision('AnswerRefused', { deviceId: 'office', memberId: null, reason: 'speaker_not_verified' });
      const allowed = decision('AnswerAuthorized', { deviceId: 'bedroom', memberId: 'alex', score: 0.9, threshold: 0.75, margin: 0.5, liveness: 0.97, assurance: 'standard' });
      const left = routingEvent('InboundCallAbandoned', callId, { callId, carrierCallId: `carrier-${callId}` });
      // Each copy on its original's partition (same key) before the next event: a redelivery after a lost offset commit.
      for (const event of [refused, allowed, left]) {
        const topic = event.source === 'identity' ? Topics.identity : Topics.routing;
        await producer.send({ topic, messages: [event, event].map((e) => ({ key: e.streamId, value: JSON.stringify(e) })) });
        await processed(event.id);
      }
      const timeline = (await http('GET', `/v1/calls/${callId}`)).body.timeline!.map((e) => e.type);
      expect(timeline).toEqual(['CallOffered', 'CallAnswerRefused', 'CallConnected', 'CallEnded']);
    });

    it('ends when the caller hangs up while it rings, and refuses an answer after', async () => {
      const callId = await offer();
      const abandoned = routingEvent('InboundCallAbandoned', callId, { callId, carrierCallId: `carrier-${callId}` });
      await producer.send({ topic: Topics.routing, messages: [{ key: abandoned.streamId, value: JSON.stringify(abandoned) }] });
      await processed(abandoned.id);
      expect((await http('GET', `/v1/calls/${callId}`)).body).toMatchObject({ status: 'ended', reason: 'caller_hung_up' });
      expect(await answerWith(callId, 'kitchen')).toMatchObject({ status: 409, body: { code: 'call_ended' } });
    });
  });

  it('scopes an Idempotency-Key to the device that sent it, and forgets keys and inbox rows after their time', async () => {
    const key = `key-${randomUUID()}`;
    const place = async (deviceId: string) => {
      const voice = simulatedDevice(deviceId).assert({ subject: 'Mom', embedding: simulatedSpeaker('alex').utter() });
      const response = await fetch(`${base}/v1/calls`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ deviceId, target: 'Mom', voice }),
      });
      return ((await response.json()) as { callId: string }).callId;
    };
    const [first, second, third] = [await place(`dev-${randomUUID()}`), await place(`dev-${randomUUID()}`), await place(`dev-${randomUUID()}`)];
    expect(new Set([first, second, third]).size).toBe(3); // the same key from three devices: three calls

    await db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [key]);
    // A backlog larger than one batch (1,000): one sweep forgets all of it.
    await db.query(`INSERT INTO idempotency_keys (scope, key, request_hash, status, created_at)
      SELECT 'calls.place:dev-old', 'old-' || i, 'h', 202, now() - interval '25 hours' FROM generate_series(1, 2500) i`);
    // And inbox rows older than INBOX_RETENTION_HOURS (216 by default), beside one eight days old (Kafka may still hold its event) it keeps.
    await db.query(`INSERT INTO es_inbox (consumer, event_id, processed_at)
      SELECT 'homeline-calls', 'old-' || i, now() - interval '217 hours' FROM generate_series(1, 1200) i
      UNION ALL SELECT 'homeline-calls', 'eight-days-old', now() - interval '200 hours'`);
    const swept = await calls.app.get(ExpirySweeper).sweep();
    expect(swept).toMatchObject({ idempotencyKeys: 2503, inbox: 1200 });
    expect((await db.query(`SELECT event_id FROM es_inbox WHERE event_id LIKE 'old-%' OR event_id = 'eight-days-old'`)).rows).toEqual([{ event_id: 'eight-days-old' }]);
    expect((await db.query(`SELECT 1 FROM idempotency_keys WHERE scope = 'calls.place:dev-old'`)).rowCount).toBe(0);
    expect((await db.query(`SELECT 1 FROM idempotency_keys WHERE key = $1`, [key])).rowCount).toBe(0);
  });

  it('keeps no voice embedding once identity would refuse its assertion as stale: the sweep blanks it in the published request', async () => {
    const embeddingOf = async (callId: string) =>
      (await db.query(`SELECT data #> '{voice,embedding}' AS embedding FROM es_events WHERE stream_id = $1 AND type = 'CallRequested'`, [`call-${callId}`])).rows[0]
        .embedding as number[];
    const old = await placeCall();
    const recent = await placeCall();
    expect(await embeddingOf(old.callId)).toHaveLength(192);
    // Published: the relay's checkpoint has passed the request.
    await eventually(async () =>
      expect((await db.query(
        `SELECT 1 FROM es_events e, es_relay_checkpoints c WHERE e.stream_id = $1 AND (e.transaction_id, e.position) <= (c.transaction_id, c.position)`,
        [`call-${recent.callId}`],
      )).rowCount).toBe(1));
    await db.query(`UPDATE es_events SET occurred_at = now() - interval '10 minutes' WHERE stream_id = $1`, [`call-${old.callId}`]);

    const swept = await calls.app.get(ExpirySweeper).sweep();
    expect(swept.voices).toBe(1);
    expect(await embeddingOf(old.callId)).toEqual([0]); // no voice: identity refuses it as one, as it refuses the stale assertion
    expect(await embeddingOf(recent.callId)).toHaveLength(192); // identity may still be deciding it
    expect((await http('GET', `/v1/calls/${old.callId}`)).status).toBe(200); // the call still reads
    expect((await calls.app.get(ExpirySweeper).sweep()).voices).toBe(0);
  });

  it('places a keyed emergency call while all but one of its database connections are busy', async () => {
    const { device } = await linkedDevice();
    const dataSource = calls.app.get(DataSource);
    const pool = (dataSource.driver as unknown as { master: { totalCount: number; idleCount: number; options: { max: number } } }).master;
    const held: QueryRunner[] = [];
    try {
      while (pool.totalCount - pool.idleCount < pool.options.max - 1) {
        const runner = dataSource.createQueryRunner();
        await runner.connect();
        held.push(runner);
      }
      const voice = device.assert({ subject: '911', embedding: simulatedSpeaker('stranger').utter(), liveness: 0.1 });
      const response = await fetch(`${base}/v1/calls`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ deviceId: device.deviceId, target: '911', voice }),
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ status: 'routing' });
    } finally {
      for (const runner of held) await runner.release();
    }
  });

  it('documents in its OpenAPI document (/docs-json) the bodies it reads: a client generated from it can place and answer calls', async () => {
    type Body = {
      requestBody?: { content: Record<string, { schema: { required?: string[]; properties?: Record<string, { required?: string[] }> } }> };
      parameters?: Array<{ name: string; in: string }>;
    };
    const { paths } = (await (await fetch(`${base}/docs-json`)).json()) as { paths: Record<string, { post: Body }> };
    const schemaOf = (path: string) => paths[path].post.requestBody?.content['application/json'].schema;
    const voice = ['deviceId', 'embedding', 'issuedAt', 'liveness', 'nonce', 'purpose', 'signature', 'subject'];
    expect(schemaOf('/v1/calls')?.required?.sort()).toEqual(['deviceId', 'target', 'voice']);
    expect(schemaOf('/v1/calls')?.properties?.voice.required?.sort()).toEqual(voice);
    expect(schemaOf('/v1/calls/{callId}/answer')?.required?.sort()).toEqual(['deviceId', 'voice']);
    expect(schemaOf('/v1/calls/{callId}/answer')?.properties?.voice.required?.sort()).toEqual(voice);
    // Both honour an Idempotency-Key; a hang-up needs none.
    const headers = (path: string) => (paths[path].post.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
    expect([headers('/v1/calls'), headers('/v1/calls/{callId}/answer'), headers('/v1/calls/{callId}/hangup')]).toEqual([['Idempotency-Key'], ['Idempotency-Key'], []]);
  });

  it('documents in its OpenAPI document (/docs-json) the bodies it answers: a generated client can read the call id and the call', async () => {
    type Schema = { type?: string; required?: string[]; properties?: Record<string, Schema & { enum?: string[] }>; items?: Schema };
    type Operation = { responses: Record<string, { content?: Record<string, { schema: Schema }> }> };
    const { paths } = (await (await fetch(`${base}/docs-json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    const answered = (path: string, method: string, status: number) => paths[path][method].responses[status]?.content?.['application/json']?.schema;
    const statuses = ['verifying', 'routing', 'ringing', 'connected', 'ended', 'rejected', 'failed'];
    for (const [path, method, status] of [['/v1/calls', 'post', 202], ['/v1/calls/{callId}/answer', 'post', 202]] as const) {
      const schema = answered(path, method, status);
      expect(schema?.required?.sort()).toEqual(['callId', 'status']);
      expect(schema?.properties?.status.enum).toEqual(statuses);
    }
    for (const [path, method] of [['/v1/calls/{callId}', 'get'], ['/v1/calls/{callId}/hangup', 'post']] as const) {
      const view = answered(path, method, 200);
      expect(view?.required?.sort()).toEqual(['callId', 'direction', 'status', 'timeline']);
      expect(view?.properties?.status.enum).toEqual(statuses);
      expect(Object.keys(view?.properties ?? {})).toEqual(expect.arrayContaining(['reason', 'memberId', 'deviceId', 'destination', 'from', 'callerName', 'sensitive', 'devices', 'sipCode', 'q850']));
      expect(view?.properties?.devices.items?.properties?.state.enum).toEqual(['ringing', 'cancelled', 'answered', 'refused']);
    }
  });

  it('answers an unknown call and a malformed request with problem details', async () => {
    expect(await http('GET', `/v1/calls/${randomUUID()}`)).toMatchObject({ status: 404, body: { code: 'call_not_found' } });
    expect(await http('POST', '/v1/calls', { deviceId: 'd', target: '' })).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    // A voice assertion naming a device id longer than any (it would reach identity and the audit as sent).
    const device = simulatedDevice(`dev-${randomUUID()}`);
    const voice = { ...device.assert({ subject: 'Mom', embedding: simulatedSpeaker('alex').utter() }), deviceId: 'd'.repeat(129) };
    const long = await http('POST', '/v1/calls', { deviceId: device.deviceId, target: 'Mom', voice });
    expect(long).toMatchObject({ status: 400, body: { code: 'invalid_request', issues: [expect.objectContaining({ path: 'voice.deviceId' })] } });
    expect(await http('POST', `/v1/calls/${randomUUID()}/hangup`)).toMatchObject({ status: 404, body: { code: 'call_not_found' } });
  });
});
