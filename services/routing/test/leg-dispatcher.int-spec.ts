import { eventStoreMigrations } from '@homeline/event-store';
import { startTestPostgres, eventually, type TestPostgres } from '@homeline/testing';
import { DataSource } from 'typeorm';
import type { CarrierLegOrder, CarrierPort } from '../src/carrier/carrier.port';
import { findLeg } from '../src/legs/carrier-legs';
import { queueLegPlacement } from '../src/legs/carrier-requests';
import { LegDispatcher } from '../src/legs/leg-dispatcher';
import { RoutingSchema1764100000000 } from '../src/schema/routing-schema.migration';

/** A carrier that is down for the first `outages` calls, then places legs. */
class FlakyCarrier implements CarrierPort {
  readonly placed: CarrierLegOrder[] = [];
  constructor(private outages: number) {}
  async placeLeg(order: CarrierLegOrder): Promise<{ carrierCallId: string }> {
    if (this.outages-- > 0) throw new Error('carrier unavailable');
    this.placed.push(order);
    return { carrierCallId: `cc-${order.legId}` };
  }
  async hangUp(): Promise<void> {}
}

describe('the carrier dispatcher', () => {
  let pg: TestPostgres;
  let dataSource: DataSource;

  beforeAll(async () => {
    pg = await startTestPostgres();
    dataSource = new DataSource({
      type: 'postgres',
      url: await pg.createDatabase(),
      migrations: [...eventStoreMigrations, RoutingSchema1764100000000],
    });
    await dataSource.initialize();
    await dataSource.runMigrations();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await pg?.stop();
  });

  const order = (legId: string): CarrierLegOrder => ({
    legId,
    callId: `call-${legId}`,
    e164: '+12125550100',
    emergency: false,
  });

  it('places a leg queued before a crash when it starts again', async () => {
    // The decision committed, then the process died before calling the carrier.
    await dataSource.transaction((manager) => queueLegPlacement(manager, 'acc-1', order('leg-crash')));
    const carrier = new FlakyCarrier(0);
    const dispatcher = new LegDispatcher(dataSource, carrier, { pollMs: 10_000 });
    await dispatcher.start();
    try {
      await eventually(async () =>
        expect((await findLeg(dataSource.manager, 'leg-crash'))?.carrierCallId).toBe('cc-leg-crash'),
      );
      expect(carrier.placed.map((o) => o.legId)).toEqual(['leg-crash']);
    } finally {
      await dispatcher.stop();
    }
  });

  it('retries a placement the carrier refused, and places it once', async () => {
    const carrier = new FlakyCarrier(2);
    const dispatcher = new LegDispatcher(dataSource, carrier, { pollMs: 100 });
    await dispatcher.start();
    try {
      await dataSource.transaction((manager) => queueLegPlacement(manager, 'acc-1', order('leg-retry')));
      await eventually(async () =>
        expect((await findLeg(dataSource.manager, 'leg-retry'))?.carrierCallId).toBe('cc-leg-retry'),
      );
      expect(carrier.placed.map((o) => o.legId)).toEqual(['leg-retry']);
      const [queued] = await dataSource.query(`SELECT count(*)::int AS n FROM carrier_requests`);
      expect(queued.n).toBe(0);
    } finally {
      await dispatcher.stop();
    }
  });
});
