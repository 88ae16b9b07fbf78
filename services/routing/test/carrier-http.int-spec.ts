import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CarrierSimClient, startCarrierSimulator, type RunningCarrierSimulator } from '@homeline/carrier-sim';
import { eventually, freePort } from '@homeline/testing';
import { CarrierRejected, CarrierUnavailable } from '../src/application/carrier.port';
import { HttpCarrier, type HttpCarrierOptions } from '../src/edges/carrier-http';

const apiSecret = 'carrier-api-secret-for-tests';
const webhookSecret = 'carrier-webhook-secret-for-tests';

describe('HttpCarrier against the carrier simulator over HTTP (docs/carrier-api.md)', () => {
  let simulator: RunningCarrierSimulator;
  let sim: CarrierSimClient;
  const carriers: HttpCarrier[] = [];
  let n = 0;

  let routing: Server;

  beforeAll(async () => {
    // These tests read what the carrier was asked, not what it reported: routing's stand-in takes every webhook.
    routing = createServer(
      (_request, response) =>
        void response.writeHead(202, { 'content-type': 'application/json' }).end('{"callId":"c"}'),
    );
    await new Promise<void>((resolve) => routing.listen(0, '127.0.0.1', resolve));
    const webhookBaseUrl = `http://127.0.0.1:${(routing.address() as AddressInfo).port}`;
    simulator = await startCarrierSimulator({ apiSecret, webhookSecret, webhookBaseUrl, stepMs: 60_000 });
    sim = new CarrierSimClient(simulator.url);
  });
  afterEach(() => sim.clearFaults());
  afterAll(async () => {
    await Promise.all(carriers.map((carrier) => carrier.stop()));
    await simulator?.stop();
    routing?.close();
  });

  const carrierWith = (options: Partial<HttpCarrierOptions> = {}) => {
    const carrier = new HttpCarrier({
      baseUrl: simulator.url,
      secret: apiSecret,
      timeoutMs: 500,
      attempts: 3,
      connections: 4,
      breakerThreshold: 100,
      halfOpenAfterMs: 200,
      maxRetryDelayMs: 50,
      nowSeconds: () => Math.floor(Date.now() / 1000),
      ...options,
    });
    carriers.push(carrier);
    return carrier;
  };
  const order = () => {
    const legId = `leg-${++n}`;
    return { legId, callId: `call-${n}`, e164: '+12125550100', callerId: '+15551230001', emergency: false };
  };
  const attemptsOf = async (key: string) =>
    (await sim.requests()).filter((r) => r.idempotencyKey === key).map((r) => r.outcome);

  it('places a leg, signed, under the key place:<legId>, and hangs it up', async () => {
    const carrier = carrierWith();
    const leg = {
      ...order(),
      emergency: true,
      dispatchable: {
        address: {
          line1: '742 Evergreen Terrace',
          city: 'Springfield',
          region: 'OR',
          postalCode: '97403',
          country: 'US',
        },
        location: { room: 'kitchen', floor: '1' },
      },
    };
    const { carrierCallId } = await carrier.placeLeg(leg);
    expect(await sim.call(carrierCallId)).toMatchObject({
      direction: 'outbound',
      legId: leg.legId,
      order: leg,
      placeRequests: 1,
    });
    await carrier.hangUp(carrierCallId);
    expect((await sim.call(carrierCallId))?.state).toBe('ended');
    expect(await attemptsOf(`place:${leg.legId}`)).toEqual([201]);
    expect(await attemptsOf(`hangup:${carrierCallId}`)).toEqual([200]);
  });

  it('keeps its connections to the carrier alive: a hundred requests, a handful of connections', async () => {
    const carrier = carrierWith({ connections: 4 });
    const before = await sim.connections();
    for (let i = 0; i < 10; i++) await Promise.all(Array.from({ length: 10 }, () => carrier.placeLeg(order())));
    const opened = (await sim.connections()) - before;
    expect(opened).toBeGreaterThanOrEqual(1);
    expect(opened).toBeLessThanOrEqual(4);
  });

  it('bridges an offered inbound call to a device, and sends another to voicemail', async () => {
    const carrier = carrierWith();
    const line = '+15551230001';
    const answered = (await sim.offerInbound({ from: '+15550100123', to: line })).carrierCallId;
    const declined = (await sim.offerInbound({ from: '+15550100124', to: line })).carrierCallId;
    await carrier.bridge(answered, 'kitchen-speaker');
    await carrier.sendToVoicemail(declined, 'away_mode');
    expect(await sim.call(answered)).toMatchObject({ state: 'bridged', bridgedTo: 'kitchen-speaker' });
    expect(await sim.call(declined)).toMatchObject({ state: 'voicemail', voicemailReason: 'away_mode' });
  });

  it('tries a 503 again under the same key, and the leg is placed once', async () => {
    const carrier = carrierWith();
    const leg = order();
    await sim.addFaults({ count: 2, status: 503 });
    const { carrierCallId } = await carrier.placeLeg(leg);
    expect(await attemptsOf(`place:${leg.legId}`)).toEqual([503, 503, 201]);
    expect((await sim.leg(leg.legId))?.carrierCallId).toBe(carrierCallId);
  });

  it('tries again after a dropped connection', async () => {
    const carrier = carrierWith();
    const leg = order();
    await sim.addFaults({ count: 1, drop: true });
    await carrier.placeLeg(leg);
    expect(await attemptsOf(`place:${leg.legId}`)).toEqual(['dropped', 201]);
  });

  it('gives up an attempt at its timeout; the carrier that did place it then answers the retry with the same leg', async () => {
    const carrier = carrierWith({ timeoutMs: 300 });
    const leg = order();
    await sim.addFaults({ count: 1, delayMs: 600 });
    const { carrierCallId } = await carrier.placeLeg(leg);
    // The slow first attempt reaches the carrier after the retry: the same key, so the same answer again.
    const attempts = await eventually(async () => {
      const seen = (await sim.requests()).filter((r) => r.idempotencyKey === `place:${leg.legId}`);
      expect(seen).toHaveLength(2);
      return seen;
    });
    expect(attempts.map((r) => [r.outcome, r.replayed])).toEqual([
      [201, false],
      [201, true],
    ]);
    expect((await sim.leg(leg.legId))?.carrierCallId).toBe(carrierCallId);
  });

  it('does not try a 4xx again: a wrong secret is refused once, as CarrierRejected', async () => {
    const carrier = carrierWith({ secret: 'not-the-carrier-api-secret' });
    const leg = order();
    const error = await carrier.placeLeg(leg).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CarrierRejected);
    expect(error).toMatchObject({ status: 401, code: 'invalid_signature' });
    expect(await attemptsOf(`place:${leg.legId}`)).toEqual([401]);
  });

  it('reports a carrier that keeps failing as CarrierUnavailable after its attempts', async () => {
    const carrier = carrierWith();
    const leg = order();
    await sim.addFaults({ count: 3, status: 502 });
    await expect(carrier.placeLeg(leg)).rejects.toEqual(
      new CarrierUnavailable(`carrier place (place:${leg.legId}): carrier answered 502 simulated_fault`),
    );
    expect(await attemptsOf(`place:${leg.legId}`)).toEqual([502, 502, 502]);
  });

  it('tells the dispatcher whether the carrier may have carried a failed request out', async () => {
    // Nothing listens there: no try reached a carrier.
    const nowhere = carrierWith({ baseUrl: `http://127.0.0.1:${await freePort()}`, attempts: 2 });
    await expect(nowhere.placeLeg(order())).rejects.toMatchObject({ notCarriedOut: true });
    const carrier = carrierWith({ attempts: 2 });
    await sim.addFaults({ count: 2, status: 503 }); // it answered; it may have placed the leg first
    await expect(carrier.placeLeg(order())).rejects.toMatchObject({ notCarriedOut: false });
    await sim.addFaults({ count: 1, status: 429, retryAfterSeconds: 30 }); // "not now": nothing done
    await expect(carrier.placeLeg(order())).rejects.toMatchObject({ notCarriedOut: true });
  });

  it('honours a short Retry-After, and leaves a long one to the dispatcher', async () => {
    const carrier = carrierWith({ maxRetryDelayMs: 1_000 });
    const paced = order();
    await sim.addFaults({ count: 1, status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    await carrier.placeLeg(paced);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const throttled = order();
    await sim.addFaults({ count: 1, status: 429, retryAfterSeconds: 30 });
    await expect(carrier.placeLeg(throttled)).rejects.toBeInstanceOf(CarrierUnavailable);
    expect(await attemptsOf(`place:${throttled.legId}`)).toEqual([429]);
  });

  it('opens its circuit when the carrier is down: nothing is sent until the half-open probe succeeds', async () => {
    const carrier = carrierWith({ attempts: 1, breakerThreshold: 2, halfOpenAfterMs: 300 });
    await sim.addFaults({ count: 2, status: 503 });
    for (let i = 0; i < 2; i++) await expect(carrier.placeLeg(order())).rejects.toBeInstanceOf(CarrierUnavailable);
    const held = order();
    await expect(carrier.placeLeg(held)).rejects.toMatchObject({ circuitOpen: true });
    expect(await attemptsOf(`place:${held.legId}`)).toEqual([]); // never reached the carrier
    expect(carrier.gate.admits().requests).toBe(0);

    await new Promise((resolve) => setTimeout(resolve, 320));
    expect(carrier.gate.admits()).toEqual({ requests: 1, retryInMs: 0 });
    await carrier.placeLeg(held);
    expect(carrier.gate.admits().requests).toBe(Infinity);
  });
});
