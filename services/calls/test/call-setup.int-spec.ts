import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topics, type Envelope } from '@homeline/contracts';
import { simulatedDevice, simulatedSpeaker } from '@homeline/device-sim';
import { startBroker, type EmbeddedBroker } from '@homeline/kafka-embedded';
import { createServiceApp, type ServiceApp } from '@homeline/platform';
import { eventually, startTestPostgres, type TestPostgres } from '@homeline/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { callsService } from '../src/app.module';
import type { CallsConfig } from '../src/config';

const token = 'integration-token-for-tests';

/** The calls service alone, on real PostgreSQL and the broker; identity's and routing's answers are produced by the test. */
describe('the call-setup process manager', () => {
  let postgres: TestPostgres;
  let broker: EmbeddedBroker;
  let dir: string;
  let calls: ServiceApp<CallsConfig>;
  let base: string;
  let producer: Producer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'calls-int-'));
    postgres = await startTestPostgres();
    broker = await startBroker({ dataDir: dir, port: 0, initialRebalanceDelayMs: 0 });
    calls = await createServiceApp(callsService, {
      DATABASE_URL: await postgres.createDatabase(),
      KAFKA_BROKERS: broker.address,
      INTEGRATION_TOKEN: token,
      LOG_LEVEL: 'warn',
      CALL_VERIFICATION_TIMEOUT_MS: '60000',
    });
    await calls.app.listen(0, '127.0.0.1');
    base = await calls.app.getUrl();
    producer = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await calls?.app.close();
    await broker?.stop();
    await postgres?.stop();
    await rm(dir, { recursive: true, force: true });
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

  it('hands a verified call to routing once, though identity\'s answer arrives twice', async () => {
    const { callId, deviceId } = await placeCall();
    const verified = answer('SpeakerVerified', callId, {
      callId, accountId: 'acc-1', deviceId, memberId: 'mem-1', score: 0.93, threshold: 0.75, margin: 0.6, liveness: 0.97, assurance: 'standard', decision: 'accept',
    });
    await publish(verified);
    await publish(verified);
    await eventually(async () => expect((await http('GET', `/v1/calls/${callId}`)).body).toMatchObject({ status: 'routing', memberId: 'mem-1' }));
    await new Promise((resolve) => setTimeout(resolve, 300)); // room for a second effect to show, if there were one
    const { body } = await http('GET', `/v1/calls/${callId}`);
    expect(body.timeline!.map((e) => e.type)).toEqual(['CallRequested', 'CallRouting']);
  });

  it('rejects the call with identity\'s reason when the device is trusted by no household', async () => {
    const { callId, deviceId } = await placeCall();
    await publish(answer('SpeakerRejected', callId, { callId, accountId: null, deviceId, reason: 'unlinked_device', decision: 'reject' }));
    await eventually(async () => expect((await http('GET', `/v1/calls/${callId}`)).body).toMatchObject({ status: 'rejected', reason: 'unlinked_device' }));
  });

  it('cancels a call the caller hangs up before it connects, and a late answer changes nothing', async () => {
    const { callId, deviceId } = await placeCall();
    expect((await http('POST', `/v1/calls/${callId}/hangup`)).body).toMatchObject({ status: 'ended', reason: 'cancelled' });
    await publish(answer('SpeakerVerified', callId, {
      callId, accountId: 'acc-1', deviceId, memberId: 'mem-1', score: 0.93, threshold: 0.75, margin: 0.6, liveness: 0.97, assurance: 'standard', decision: 'accept',
    }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await http('GET', `/v1/calls/${callId}`)).body).toMatchObject({ status: 'ended', reason: 'cancelled' });
  });

  it('answers an unknown call and a malformed request with problem details', async () => {
    expect(await http('GET', `/v1/calls/${randomUUID()}`)).toMatchObject({ status: 404, body: { code: 'call_not_found' } });
    expect(await http('POST', '/v1/calls', { deviceId: 'd', target: '' })).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    expect(await http('POST', `/v1/calls/${randomUUID()}/hangup`)).toMatchObject({ status: 404, body: { code: 'call_not_found' } });
  });
});
