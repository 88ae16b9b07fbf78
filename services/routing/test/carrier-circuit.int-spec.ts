import { CarrierSimClient, startCarrierSimulator, type RunningCarrierSimulator } from '@homeline/carrier-sim';
import { eventually, startTestPostgres, type TestPostgres } from '@homeline/testing';
import type { DataSource } from 'typeorm';
import { Registry } from 'prom-client';
import { HttpCarrier, type HttpCarrierOptions } from '../src/edges/carrier-http';
import { RoutingMetrics } from '../src/edges/routing-metrics';
import { carrierCallIdOf, requestLeg, routingDatabase, routingOn, typesOf } from './support/carrier-desk';

const apiSecret = 'carrier-api-secret-for-tests';
const hour = 3_600_000;

/**
 * The dispatcher with the HTTP carrier and its circuit, against the simulator: what an outage of
 * the carrier does to routing's queue of carrier requests.
 */
describe('carrier work through an open circuit', () => {
  let pg: TestPostgres;
  let dataSource: DataSource;
  let simulator: RunningCarrierSimulator;
  let sim: CarrierSimClient;

  beforeAll(async () => {
    pg = await startTestPostgres();
    dataSource = await routingDatabase(pg);
    // Its status webhooks go unanswered: this is about the requests routing sends, not the statuses it hears.
    simulator = await startCarrierSimulator({
      apiSecret,
      webhookSecret: 'carrier-webhook-secret-for-tests',
      webhookBaseUrl: 'http://127.0.0.1:9',
      stepMs: hour,
    });
    sim = new CarrierSimClient(simulator.url);
  });
  afterAll(async () => {
    await simulator?.stop();
    await dataSource?.destroy();
    await pg?.stop();
  });

  /** The HTTP carrier against the simulator: one attempt per request, a circuit that opens at the first failure, unless told otherwise. */
  const carrierWith = (options: Partial<HttpCarrierOptions>) =>
    new HttpCarrier({
      baseUrl: simulator.url,
      secret: apiSecret,
      timeoutMs: 1_000,
      attempts: 1,
      connections: 4,
      breakerThreshold: 1,
      halfOpenAfterMs: 700,
      maxRetryDelayMs: 100,
      nowSeconds: () => Math.floor(Date.now() / 1000),
      ...options,
    });

  const attemptsQueued = async (legId: string): Promise<number | null> =>
    (await dataSource.query(`SELECT attempts FROM carrier_requests WHERE leg_id = $1`, [legId]))[0]?.attempts ?? null;

  it('holds the queue while the circuit is open, burning no attempts, and sends it all once a probe gets through', async () => {
    const carrier = carrierWith({ halfOpenAfterMs: 700 });
    const metrics = new RoutingMetrics(new Registry());
    const routing = routingOn(dataSource, carrier, hour, { carrierGate: carrier.gate, metrics });
    await sim.addFaults({ count: 2, status: 503 });
    await routing.dispatcher.start();
    try {
      await requestLeg(dataSource, 'leg-first');
      // Its 503 opens the circuit (one failure is the threshold here) and reschedules it: one attempt spent.
      await eventually(async () => expect(await attemptsQueued('leg-first')).toBe(1));
      expect(carrier.gate.admits().requests).toBe(0);

      // Queued while the circuit is open: the dispatcher hears of them (NOTIFY) and claims none.
      await requestLeg(dataSource, 'leg-held-1');
      await requestLeg(dataSource, 'leg-held-2');

      // Half-open: one probe meets the second 503 and the circuit opens again; the next probe passes and everything goes.
      for (const legId of ['leg-first', 'leg-held-1', 'leg-held-2'])
        await eventually(async () => expect(await carrierCallIdOf(dataSource, legId)).toMatch(/^sim-/));
      const sent = (await sim.requests()).filter((r) => /^place:leg-(first|held)/.test(r.idempotencyKey ?? ''));
      expect(sent.map((r) => r.outcome).sort()).toEqual([201, 201, 201, 503, 503]);
      // Two attempts were spent, both at the carrier: none was refused locally for an open circuit.
      const requests = await metrics.carrierRequests.get();
      const count = (result: string) => requests.values.find((v) => v.labels.result === result)?.value ?? 0;
      expect([count('retried'), count('given_up'), count('done')]).toEqual([2, 0, 3]);
      for (const legId of ['leg-first', 'leg-held-1', 'leg-held-2'])
        expect(await typesOf(dataSource, legId)).not.toContain('CarrierLegFailed');
    } finally {
      await routing.dispatcher.stop();
      await carrier.stop();
    }
  });

  it("places an emergency call's leg while the circuit holds every other request", async () => {
    const carrier = carrierWith({ halfOpenAfterMs: hour }); // it stays open for the whole test
    const routing = routingOn(dataSource, carrier, hour, { carrierGate: carrier.gate });
    await sim.addFaults({ count: 1, status: 503 });
    await routing.dispatcher.start();
    try {
      await requestLeg(dataSource, 'leg-outage');
      await eventually(async () => expect(await attemptsQueued('leg-outage')).toBe(1));
      expect(carrier.gate.admits().requests).toBe(0);

      await requestLeg(dataSource, 'leg-999', true);
      await eventually(async () => expect(await carrierCallIdOf(dataSource, 'leg-999')).toMatch(/^sim-/));
      expect(carrier.gate.admits().requests).toBe(0); // still open: the other placement waits on
      expect(await attemptsQueued('leg-outage')).toBe(1);
      expect(await carrierCallIdOf(dataSource, 'leg-outage')).toBeNull();
    } finally {
      await routing.dispatcher.stop();
      await carrier.stop();
      await dataSource.query(`DELETE FROM carrier_requests WHERE leg_id = 'leg-outage'`); // held by a circuit no test will close
    }
  });

  it('gives a placement the carrier refuses (4xx) up at once, failing its leg', async () => {
    const carrier = carrierWith({ secret: 'not-the-carrier-api-secret', attempts: 3, breakerThreshold: 5, halfOpenAfterMs: 1_000 });
    const routing = routingOn(dataSource, carrier, hour, { carrierGate: carrier.gate });
    await routing.dispatcher.start();
    try {
      await requestLeg(dataSource, 'leg-refused');
      await eventually(async () =>
        expect(await typesOf(dataSource, 'leg-refused')).toEqual(['CarrierLegRequested', 'CarrierLegFailed']),
      );
      expect(
        (await sim.requests()).filter((r) => r.idempotencyKey === 'place:leg-refused').map((r) => r.outcome),
      ).toEqual([401]);
      expect(await attemptsQueued('leg-refused')).toBeNull();
    } finally {
      await routing.dispatcher.stop();
      await carrier.stop();
    }
  });
});
