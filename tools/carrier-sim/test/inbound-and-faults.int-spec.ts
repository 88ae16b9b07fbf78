import { eventually } from '@homeline/testing';
import { CarrierSimClient, startCarrierSimulator, type RunningCarrierSimulator } from '../src';
import { WebhookReceiver } from './support/receiver';
import { signedPost } from './support/signed';

const apiSecret = 'homeline-to-carrier-secret';
const webhookSecret = 'carrier-to-homeline-secret';
const line = '+15551230001';

describe('the carrier simulator: inbound calls, control endpoints and faults', () => {
  let receiver: WebhookReceiver;
  let simulator: RunningCarrierSimulator;
  let sim: CarrierSimClient;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start(webhookSecret);
    simulator = await startCarrierSimulator({ apiSecret, webhookSecret, webhookBaseUrl: receiver.url, stepMs: 5 });
    sim = new CarrierSimClient(simulator.url);
  });
  afterAll(async () => {
    await simulator?.stop();
    await receiver?.stop();
  });
  afterEach(() => sim.clearFaults());

  const post = (path: string, body: unknown, key: string) =>
    signedPost(simulator.url, path, body, { secret: apiSecret, key });

  it("offers an inbound call to /v1/carrier/inbound, signed, and gives back routing's answer", async () => {
    const { carrierCallId, routing } = await sim.offerInbound({ from: '+15550100123', to: line, sensitive: true });
    expect(routing).toEqual({ status: 202, body: { callId: 'call-from-routing' } });
    const offer = receiver.received.find(
      (r) => r.path === '/v1/carrier/inbound' && r.body.carrierCallId === carrierCallId,
    );
    expect(offer).toEqual({
      path: '/v1/carrier/inbound',
      body: { carrierCallId, from: '+15550100123', to: line, sensitive: true },
      signedWithSecret: true,
    });
    expect(await sim.call(carrierCallId)).toMatchObject({ direction: 'inbound', state: 'offered', sensitive: true });
  });

  it('offers a call whose caller the network withholds, as "anonymous" (docs/carrier-api.md)', async () => {
    const { carrierCallId, routing } = await sim.offerInbound({ from: 'anonymous', to: line });
    expect(routing.status).toBe(202);
    const offer = receiver.received.find((r) => r.path === '/v1/carrier/inbound' && r.body.carrierCallId === carrierCallId);
    expect(offer?.body).toEqual({ carrierCallId, from: 'anonymous', to: line });
    expect(await sim.call(carrierCallId)).toMatchObject({ direction: 'inbound', state: 'offered', from: 'anonymous' });
  });

  it('bridges the offered call to the answering device; the caller hanging up then reports completed', async () => {
    const { carrierCallId } = await sim.offerInbound({ from: '+15550100123', to: line });
    const bridged = await post(
      `/v1/calls/${carrierCallId}/bridge`,
      { carrierCallId, deviceId: 'kitchen' },
      `bridge:${carrierCallId}`,
    );
    expect(await bridged.json()).toEqual({ carrierCallId, state: 'bridged', deviceId: 'kitchen' });
    const other = await post(
      `/v1/calls/${carrierCallId}/bridge`,
      { carrierCallId, deviceId: 'bedroom' },
      `bridge-2:${carrierCallId}`,
    );
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ code: 'already_bridged' });
    expect(await sim.call(carrierCallId)).toMatchObject({ state: 'bridged', bridgedTo: 'kitchen' });

    const hungUp = await sim.hangUp(carrierCallId);
    expect(hungUp).toMatchObject({ state: 'ended', routing: { status: 204 } });
    expect(receiver.statusesOf(carrierCallId)).toEqual(['1 completed']);
  });

  it('reports a caller who hangs up while the call is offered as canceled, with no leg id', async () => {
    const { carrierCallId } = await sim.offerInbound({ from: '+15550100123', to: line });
    await sim.hangUp(carrierCallId);
    const status = receiver.received.find(
      (r) => r.path === '/v1/carrier/status' && r.body.carrierCallId === carrierCallId,
    );
    expect(status?.body).toEqual({
      carrierCallId,
      status: 'canceled',
      sequence: 1,
      sipCode: 487,
      q850: 16,
      occurredAt: expect.any(String),
    });
    await expect(sim.hangUp(carrierCallId)).rejects.toThrow(/409.*call_ended/);
  });

  it('sends an offered call to voicemail with its reason; a bridge afterwards is refused', async () => {
    const { carrierCallId } = await sim.offerInbound({ from: '+15550100123', to: line });
    const response = await post(
      `/v1/calls/${carrierCallId}/voicemail`,
      { carrierCallId, reason: 'quiet_hours' },
      `voicemail:${carrierCallId}`,
    );
    expect(await response.json()).toEqual({ carrierCallId, state: 'voicemail' });
    expect(await sim.call(carrierCallId)).toMatchObject({ state: 'voicemail', voicemailReason: 'quiet_hours' });
    const late = await post(
      `/v1/calls/${carrierCallId}/bridge`,
      { carrierCallId, deviceId: 'kitchen' },
      `bridge:${carrierCallId}`,
    );
    expect(await late.json()).toMatchObject({ status: 409, code: 'in_voicemail' });
  });

  it('refuses an inbound offer that is not two E.164 numbers', async () => {
    const response = await fetch(`${simulator.url}/sim/inbound`, {
      method: 'POST',
      body: JSON.stringify({ from: 'mom', to: line }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_body' });
  });

  it('answers the next requests with an injected status (and Retry-After), changing nothing, then serves again', async () => {
    await sim.addFaults({ count: 2, status: 503, retryAfterSeconds: 1 });
    const leg = { legId: 'leg-fault', callId: 'call-fault', e164: '+12125550100', callerId: line, emergency: false };
    for (let i = 0; i < 2; i++) {
      const refused = await post('/v1/legs', leg, 'place:leg-fault');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
    }
    expect(await sim.leg('leg-fault')).toBeUndefined();
    expect((await post('/v1/legs', leg, 'place:leg-fault')).status).toBe(201);
    const outcomes = (await sim.requests()).filter((r) => r.idempotencyKey === 'place:leg-fault').map((r) => r.outcome);
    expect(outcomes).toEqual([503, 503, 201]);
  });

  it('drops the connection of a request without answering when asked to', async () => {
    await sim.addFaults({ count: 1, drop: true });
    const leg = { legId: 'leg-drop', callId: 'call-drop', e164: '+12125550100', callerId: line, emergency: false };
    await expect(post('/v1/legs', leg, 'place:leg-drop')).rejects.toThrow();
    expect(await sim.leg('leg-drop')).toBeUndefined();
  });

  it('delivers a status webhook again after routing answered 503, and not after a 4xx', async () => {
    receiver.answerNext({ path: '/v1/carrier/inbound' }, 503);
    const { carrierCallId } = await sim.offerInbound({ from: '+15550100125', to: line });
    expect((await sim.call(carrierCallId))?.state).toBe('offered');
    // The offer itself met the 503 and was retried: routing's final answer is the 202.
    expect(receiver.received.filter((r) => r.body.carrierCallId === carrierCallId).map((r) => r.path)).toEqual([
      '/v1/carrier/inbound',
      '/v1/carrier/inbound',
    ]);
    receiver.answerNext({ path: '/v1/carrier/status', carrierCallId }, 404);
    expect(await sim.hangUp(carrierCallId)).toMatchObject({ routing: { status: 404 } });
    await eventually(() => expect(receiver.statusesOf(carrierCallId)).toEqual(['1 canceled']));
  });
});
