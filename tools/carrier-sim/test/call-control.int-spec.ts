import { eventually } from '@homeline/testing';
import { CarrierSimClient, startCarrierSimulator, type RunningCarrierSimulator } from '../src';
import { WebhookReceiver } from './support/receiver';
import { signedPost } from './support/signed';

const apiSecret = 'homeline-to-carrier-secret';
const webhookSecret = 'carrier-to-homeline-secret';
const busy = '+12125550486';
const ringing = '+12125550180';

describe('the carrier simulator: call-control API over HTTP (docs/carrier-api.md)', () => {
  let receiver: WebhookReceiver;
  let simulator: RunningCarrierSimulator;
  let sim: CarrierSimClient;
  let n = 0;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start(webhookSecret);
    simulator = await startCarrierSimulator({
      apiSecret,
      webhookSecret,
      webhookBaseUrl: receiver.url,
      behaviours: { [busy]: 'busy', [ringing]: 'ring' },
      stepMs: 5,
    });
    sim = new CarrierSimClient(simulator.url);
  });
  afterAll(async () => {
    await simulator?.stop();
    await receiver?.stop();
  });

  const order = (e164 = '+12125550100') => {
    const legId = `leg-${++n}`;
    return { legId, callId: `call-${n}`, e164, callerId: '+15551230001', emergency: false };
  };
  const post = (path: string, body: unknown, key?: string, secret = apiSecret) =>
    signedPost(simulator.url, path, body, { secret, key });
  const place = async (leg: ReturnType<typeof order>) => {
    const response = await post('/v1/legs', leg, `place:${leg.legId}`);
    expect(response.status).toBe(201);
    return ((await response.json()) as { carrierCallId: string }).carrierCallId;
  };

  it('places a leg and reports ringing then answered to /v1/carrier/status, signed with the webhook secret', async () => {
    const leg = order();
    const carrierCallId = await place(leg);
    await eventually(() => expect(receiver.statusesOf(carrierCallId)).toEqual(['1 ringing', '2 answered']));
    const webhooks = receiver.received.filter((r) => r.body.carrierCallId === carrierCallId);
    expect(webhooks.every((w) => w.signedWithSecret)).toBe(true);
    expect(webhooks[1].body).toMatchObject({ legId: leg.legId, status: 'answered', sipCode: 200 });
  });

  it('places a leg asked for twice once: the same key replays its answer, another key finds the same leg', async () => {
    const leg = order();
    const carrierCallId = await place(leg);
    const replay = await post('/v1/legs', leg, `place:${leg.legId}`);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual({ carrierCallId });
    const otherKey = await post('/v1/legs', { ...leg }, `retry-${leg.legId}`);
    expect(otherKey.status).toBe(200);
    expect(await otherKey.json()).toEqual({ carrierCallId });
    await eventually(() => expect(receiver.statusesOf(carrierCallId)).toEqual(['1 ringing', '2 answered']));
    expect((await sim.leg(leg.legId))?.carrierCallId).toBe(carrierCallId);
  });

  it('refuses a key reused for another request with 422, and places nothing for it', async () => {
    const leg = order();
    await place(leg);
    const other = order();
    const response = await post('/v1/legs', other, `place:${leg.legId}`);
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ code: 'idempotency_key_reused' });
    expect(await sim.leg(other.legId)).toBeUndefined();
  });

  it('refuses an unsigned, wrongly signed or stale request with 401 problem details, before anything else', async () => {
    const leg = order();
    const wrong = await post('/v1/legs', leg, 'k-wrong', 'not-the-api-secret!');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await wrong.json()).toMatchObject({
      code: 'invalid_signature',
      detail: expect.stringContaining('bad_signature'),
    });
    const stale = await signedPost(simulator.url, '/v1/legs', leg, {
      secret: apiSecret,
      key: 'k-stale',
      at: Math.floor(Date.now() / 1000) - 301,
    });
    expect(await stale.json()).toMatchObject({ status: 401, detail: expect.stringContaining('stale_signature') });
    const unsigned = await fetch(`${simulator.url}/v1/legs`, { method: 'POST', body: JSON.stringify(leg) });
    expect(unsigned.status).toBe(401);
    expect(await sim.leg(leg.legId)).toBeUndefined();
  });

  it('asks for an Idempotency-Key and a valid body', async () => {
    expect((await post('/v1/legs', order())).status).toBe(400);
    const bad = await post('/v1/legs', { ...order(), e164: 'call mom', emergency: 'no' }, 'k-bad');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_body', detail: expect.stringMatching(/e164.*emergency/) });
  });

  it('reports a busy destination at once, with its SIP and Q.850 codes', async () => {
    const carrierCallId = await place(order(busy));
    await eventually(() => expect(receiver.statusesOf(carrierCallId)).toEqual(['1 busy']));
    expect(receiver.received.find((r) => r.body.carrierCallId === carrierCallId)?.body).toMatchObject({
      sipCode: 486,
      q850: 17,
    });
  });

  it('hangs a ringing leg up (completed), and a second hang-up changes nothing', async () => {
    const carrierCallId = await place(order(ringing));
    await eventually(() => expect(receiver.statusesOf(carrierCallId)).toEqual(['1 ringing']));
    const path = `/v1/calls/${carrierCallId}/hangup`;
    const first = await post(path, { carrierCallId }, `hangup:${carrierCallId}`);
    expect(await first.json()).toEqual({ carrierCallId, state: 'ended' });
    const again = await post(path, { carrierCallId }, `hangup-again:${carrierCallId}`);
    expect(again.status).toBe(200);
    await eventually(() => expect(receiver.statusesOf(carrierCallId)).toEqual(['1 ringing', '2 completed']));
    expect(receiver.statusesOf(carrierCallId)).toHaveLength(2);
  });

  it('refuses a body naming another call than the path (the signature does not cover the path)', async () => {
    const target = await place(order(ringing));
    const other = await place(order(ringing));
    const response = await post(`/v1/calls/${target}/hangup`, { carrierCallId: other }, `hangup:${target}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'target_mismatch' });
    expect((await sim.call(target))?.state).not.toBe('ended');
    expect((await sim.call(other))?.state).not.toBe('ended');
  });

  it('answers 404 for an unknown call', async () => {
    const response = await post('/v1/calls/sim-unknown/hangup', { carrierCallId: 'sim-unknown' }, 'hangup:sim-unknown');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'unknown_call' });
  });
});
