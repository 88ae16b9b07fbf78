import { randomUUID } from 'node:crypto';
import type { Envelope, IntegrationEvent } from '@homeline/contracts';
import { eventually } from '@homeline/testing';
import { RoutingApplication } from '../src/edges/routing.composition';
import { HouseholdEvents, callEnded, callRouting } from './support/household';
import { RoutingHarness } from './support/routing-harness';

/**
 * Outbound limits against toll fraud (docs/architecture.md section 6.2; issue 11, finding 1: 300
 * calls to an international number from one device, all connected at once). Each test has its own
 * household, so one test's calls count toward nobody else's limits.
 */

/** A household with an owner (every grant) and two speakers, as routing's projection holds it. */
const household = async (routing: RoutingHarness) => {
  const home = new HouseholdEvents();
  const owner = home.member('owner', 'Homer');
  const kitchen = home.device({ room: 'Kitchen' });
  const hall = home.device({ room: 'Hall' });
  await routing.register(home);
  const call = (target: string, deviceId = kitchen): Envelope =>
    callRouting({ accountId: home.accountId, deviceId, target, verified: true, memberId: owner, speakerRejection: null, assurance: 'high' });
  return { home, kitchen, hall, call };
};

const callIdOf = (event: Envelope): string => (event.data as { callId: string }).callId;

/** What routing decided for a call: `resolved <class>` or `rejected <reason> <class>`. */
const decisionOf = (routing: RoutingHarness, callId: string): Promise<string> =>
  eventually(() => {
    const decision = routing.eventsOf(callId).find((e) => e.type === 'DestinationResolved' || e.type === 'DestinationRejected');
    expect(decision).toBeDefined();
    const data = decision!.data as { class?: string; reason?: string };
    return decision!.type === 'DestinationResolved' ? `resolved ${data.class}` : `rejected ${data.reason} ${data.class}`;
  });

/** Waits until routing has published an event of this type about the call. */
const untilPublished = (routing: RoutingHarness, callId: string, type: string): Promise<void> =>
  eventually(() => expect(routing.typesOf(callId)).toContain(type));

const placeAndDecide = async (routing: RoutingHarness, event: Envelope): Promise<string> => {
  await routing.publish(event);
  return decisionOf(routing, callIdOf(event));
};

const legsOf = async (routing: RoutingHarness, accountId: string): Promise<number> => {
  const [row] = await routing.dataSource.query(`SELECT count(*)::int AS n FROM carrier_legs WHERE account_id = $1`, [accountId]);
  return row.n;
};

describe('outbound limits, per device, per account and per destination class', () => {
  let routing: RoutingHarness;

  beforeAll(async () => {
    routing = await RoutingHarness.start({
      limits: { RATE_LIMIT_DEVICE_PER_MINUTE: '10', RATE_LIMIT_ACCOUNT_PER_MINUTE: '12', DAILY_BUDGET_INTERNATIONAL: '3', DAILY_BUDGET_PREMIUM: '1' },
    });
  });
  afterAll(() => routing?.stop());

  it('refuses the 11th of a burst of calls from one device decided in one batch, while 911 from it still routes', async () => {
    const { home, call } = await household(routing);
    const burst = Array.from({ length: 15 }, () => call('+1 212 555 0199'));
    await routing.publishTogether(home.accountId, ...burst);
    const decisions = await Promise.all(burst.map((e) => decisionOf(routing, callIdOf(e))));
    expect(decisions).toEqual([...Array(10).fill('resolved domestic'), ...Array(5).fill('rejected rate_limited domestic')]);
    for (const target of ['911', 'nine one one', '９１１'])
      expect(await placeAndDecide(routing, call(target))).toBe('resolved emergency');
    // a refused call reaches no carrier
    expect(await legsOf(routing, home.accountId)).toBe(10 + 3);
  });

  it('counts a call once: delivered twice, handed over again, or decided in a batch that rolled back', async () => {
    const { home, call } = await household(routing);
    const first = call('+1 212 555 0199');
    const router = routing.app.get(RoutingApplication).router;
    await expect(
      routing.dataSource.transaction(async (tx) => {
        await router.route(tx, [first as IntegrationEvent<'CallRouting'>]);
        throw new Error('the batch fails after deciding: its transaction rolls back');
      }),
    ).rejects.toThrow('rolls back');
    await routing.publish(first, first, { ...first, id: randomUUID() });
    expect(await decisionOf(routing, callIdOf(first))).toBe('resolved domestic');
    const rest = Array.from({ length: 10 }, () => call('+1 212 555 0199'));
    await routing.publishTogether(home.accountId, ...rest);
    const decisions = await Promise.all(rest.map((e) => decisionOf(routing, callIdOf(e))));
    expect(decisions).toEqual([...Array(9).fill('resolved domestic'), 'rejected rate_limited domestic']);
    expect(await routing.streamLength(`route-${callIdOf(first)}`)).toBe(1);
  });

  it("refuses another device once the account's minute is used up, and routes its 911", async () => {
    const { home, kitchen, hall, call } = await household(routing);
    const kitchenBurst = Array.from({ length: 10 }, () => call('+1 212 555 0199', kitchen));
    await routing.publishTogether(home.accountId, ...kitchenBurst);
    expect(await Promise.all(kitchenBurst.map((e) => decisionOf(routing, callIdOf(e))))).toEqual(Array(10).fill('resolved domestic'));
    expect(await placeAndDecide(routing, call('+1 212 555 0199', hall))).toBe('resolved domestic');
    expect(await placeAndDecide(routing, call('+1 212 555 0199', hall))).toBe('resolved domestic');
    expect(await placeAndDecide(routing, call('+1 212 555 0199', hall))).toBe('rejected rate_limited domestic');
    expect(await placeAndDecide(routing, call('911', hall))).toBe('resolved emergency');
  });

  it("spends the day's international budget on routed calls only, and keeps it spent when the calls end", async () => {
    const { home, kitchen, hall, call } = await household(routing);
    const routed: string[] = [];
    for (const deviceId of [kitchen, hall, kitchen]) {
      const event = call('+44 20 7946 0958', deviceId);
      expect(await placeAndDecide(routing, event)).toBe('resolved international');
      routed.push(callIdOf(event));
    }
    expect(await placeAndDecide(routing, call('+44 20 7946 0958', hall))).toBe('rejected rate_limited international');
    await routing.publish(...routed.map((callId) => callEnded(home.accountId, callId)));
    await Promise.all(routed.map((callId) => untilPublished(routing, callId, 'CarrierLegEnded')));
    expect(await placeAndDecide(routing, call('+33 1 42 68 53 00', kitchen))).toBe('rejected rate_limited international');
    // the other classes have budgets of their own
    expect(await placeAndDecide(routing, call('+1 900 555 0100', kitchen))).toBe('resolved premium');
    expect(await placeAndDecide(routing, call('+1 900 555 0101', kitchen))).toBe('rejected rate_limited premium');
    expect(await placeAndDecide(routing, call('+1 212 555 0199', kitchen))).toBe('resolved domestic');
  });
});

describe("the cap on a line's concurrent calls", () => {
  let routing: RoutingHarness;
  const busy = '+12125550486';

  beforeAll(async () => {
    routing = await RoutingHarness.start({ limits: { MAX_CONCURRENT_CALLS_PER_LINE: '2' }, behaviours: { [busy]: 'busy' } });
  });
  afterAll(() => routing?.stop());

  it('refuses a third call while two are up, routes 911 anyway, and frees a place when a call ends', async () => {
    const { home, kitchen, hall, call } = await household(routing);
    const first = call('+1 212 555 0101', kitchen);
    const second = call('+1 212 555 0102', hall);
    for (const event of [first, second]) {
      await routing.publish(event);
      await untilPublished(routing, callIdOf(event), 'CarrierLegAnswered');
    }
    expect(await placeAndDecide(routing, call('+1 212 555 0103', kitchen))).toBe('rejected rate_limited domestic');
    expect(await placeAndDecide(routing, call('911', kitchen))).toBe('resolved emergency');
    // the emergency call is up too, yet takes no place from the others
    expect(await placeAndDecide(routing, call('+1 212 555 0104', hall))).toBe('rejected rate_limited domestic');

    await routing.publish(callEnded(home.accountId, callIdOf(first)));
    await untilPublished(routing, callIdOf(first), 'CarrierLegEnded');
    expect(await placeAndDecide(routing, call('+1 212 555 0105', kitchen))).toBe('resolved domestic');
    expect(await placeAndDecide(routing, call('+1 212 555 0106', kitchen))).toBe('rejected rate_limited domestic');
  });

  it('frees a place as soon as the carrier reports a leg over, before calls ends the call', async () => {
    const { call } = await household(routing);
    const unanswered = call(busy);
    await routing.publish(unanswered);
    await untilPublished(routing, callIdOf(unanswered), 'CarrierLegFailed');
    expect(await placeAndDecide(routing, call('+1 212 555 0101'))).toBe('resolved domestic');
    expect(await placeAndDecide(routing, call('+1 212 555 0102'))).toBe('resolved domestic');
    expect(await placeAndDecide(routing, call('+1 212 555 0103'))).toBe('rejected rate_limited domestic');
  });
});
