import type { INestApplication } from '@nestjs/common';
import type { Envelope } from '@homeline/contracts';
import { eventually } from '@homeline/testing';
import { RoutingMetrics } from '../src/edges/routing-metrics';
import { HouseholdEvents, callRouting } from './support/household';
import { RoutingHarness } from './support/routing-harness';

const callIdOf = (event: Envelope): string => (event.data as { callId: string }).callId;

/** How many routing decisions this instance made (its own metrics). */
const decisionsBy = async (app: INestApplication): Promise<number> =>
  (await app.get(RoutingMetrics).decisions.get()).values.reduce((sum, v) => sum + v.value, 0);

/**
 * Two instances of routing on one database, in one consumer group, each taking some of the calls
 * topic's partitions and consuming them concurrently: the limits are counted in PostgreSQL, under
 * a lock per account, so together they never route more than the limit allows.
 */
describe('outbound limits held by two replicas of routing', () => {
  let routing: RoutingHarness;
  let replica: INestApplication;
  const home = new HouseholdEvents();
  const owner = home.member('owner', 'Homer');
  const kitchen = home.device({ room: 'Kitchen' });
  const hall = home.device({ room: 'Hall' });
  const call = (deviceId: string, target = '+1 212 555 0199') =>
    callRouting({ accountId: home.accountId, deviceId, target, verified: true, memberId: owner, speakerRejection: null, assurance: 'high' });

  beforeAll(async () => {
    routing = await RoutingHarness.start({ limits: { RATE_LIMIT_DEVICE_PER_MINUTE: '10', RATE_LIMIT_ACCOUNT_PER_MINUTE: '15' } });
    ({ app: replica } = await routing.startReplica());
    await routing.register(home);
    // Both instances own partitions of the calls topic once each has decided a call (911s: they count toward nothing).
    await eventually(
      async () => {
        const probe = call(kitchen, '911');
        await routing.publish(probe);
        await routing.waitFor(callIdOf(probe), ['DestinationResolved']);
        expect(await decisionsBy(routing.app)).toBeGreaterThan(0);
        expect(await decisionsBy(replica)).toBeGreaterThan(0);
      },
      { timeoutMs: 45_000 },
    );
  }, 90_000);
  afterAll(() => routing?.stop());

  it('route no more calls from one device, nor from the account, than the limits allow between them', async () => {
    const before = [await decisionsBy(routing.app), await decisionsBy(replica)];
    // Calls are keyed by their own stream, as calls publishes them: spread over every partition, so both replicas decide some.
    const burst = [...Array.from({ length: 30 }, () => call(kitchen)), ...Array.from({ length: 30 }, () => call(hall))];
    await routing.publish(...burst);
    const decisions = await Promise.all(
      burst.map((event) =>
        eventually(() => {
          const decision = routing.eventsOf(callIdOf(event)).find((e) => e.type.startsWith('Destination'));
          expect(decision).toBeDefined();
          return { device: (event.data as { deviceId: string }).deviceId, decision: decision!.type, reason: (decision!.data as { reason?: string }).reason };
        }),
      ),
    );
    const routed = decisions.filter((d) => d.decision === 'DestinationResolved');
    expect(routed.length).toBe(15);
    expect(routed.filter((d) => d.device === kitchen).length).toBeLessThanOrEqual(10);
    expect(routed.filter((d) => d.device === hall).length).toBeLessThanOrEqual(10);
    expect(decisions.filter((d) => d.decision === 'DestinationRejected').every((d) => d.reason === 'rate_limited')).toBe(true);
    const [legs] = await routing.dataSource.query(
      `SELECT count(*)::int AS n FROM carrier_legs WHERE account_id = $1 AND class <> 'emergency'`,
      [home.accountId],
    );
    expect(legs.n).toBe(15);
    // both replicas took part
    expect(await decisionsBy(routing.app)).toBeGreaterThan(before[0]);
    expect(await decisionsBy(replica)).toBeGreaterThan(before[1]);
  });
});
