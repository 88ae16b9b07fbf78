import type { RequestRecord } from '@homeline/carrier-sim';
import { Topics } from '@homeline/contracts';
import { HomelineClient, type CallView, type Endpoints } from '../src/homeline-client';
import { createHousehold } from '../src/household';
import { placeCallsAtRate, settleCalls } from '../src/load';
import { startSystem, type Instance, type RunningSystem } from '../src/running-system';
import { waitForGroupMembers } from './support/replicas';
import { expectSound, unlimited } from './support/soundness';

/**
 * Scale out, proven (issue 10): two replicas of every service share the work through their
 * consumer groups and PostgreSQL; under traffic one replica of each is killed -9 and not started
 * again, and the survivors carry every accepted call to its end, none twice.
 */
describe('two replicas of every service, one of each killed under traffic', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    // A replica killed -9 keeps its partitions until its consumer session times out (10 s): the
    // calls on them pause that long, so their deadlines here are longer than the pause.
    const deadlines = { CALL_VERIFICATION_TIMEOUT_MS: '20000', CALL_ROUTING_TIMEOUT_MS: '20000', CALL_RINGING_TIMEOUT_MS: '20000' };
    system = await startSystem({ replicas: { identity: 2, calls: 2, routing: 2, audit: 2 }, env: { routing: unlimited, calls: deadlines } });
    // Each replica holds partitions before the traffic starts: both are doing the work.
    await Promise.all([
      waitForGroupMembers(system, 'homeline-identity', Topics.calls, 2),
      waitForGroupMembers(system, 'homeline-calls', Topics.identity, 2),
      waitForGroupMembers(system, 'homeline-routing.calls', Topics.calls, 2),
      waitForGroupMembers(system, 'homeline-audit-log', Topics.calls, 2),
    ]);
  }, 300_000);
  afterAll(() => system?.stop());

  /** A client whose requests go to one replica of each service, as a load balancer would send them. */
  const clientOf = (replica: 0 | 1) =>
    new HomelineClient(
      Object.fromEntries(Object.entries(system.replicaEndpoints).map(([service, urls]) => [service, urls[replica]])) as unknown as Endpoints,
      system.credentials,
    );

  it('completes every accepted call, none twice, when one replica of each service dies', async () => {
    const [first, second] = [clientOf(0), clientOf(1)];
    const home = await createHousehold(second);
    const legsBefore = new Set(placedLegIds(await system.carrier.requests()));
    // Traffic through both calls replicas; one of them dies, and its client's POSTs are refused from then on.
    const loads = [placeCallsAtRate(first, home, 6, 8), placeCallsAtRate(second, home, 6, 8)];
    await Promise.all(loads.map((load) => load.accepted(6))); // calls in flight through both when the replicas die
    // The first replicas started first and hold the relays' leadership: identity's, calls' and the
    // audit's relays (and consumers) must fail over. Carrier webhooks go to routing's first replica,
    // so routing loses its second, a consumer of calls' events.
    const victims: Instance[] = ['identity', 'calls', 'routing#2', 'audit'];
    await Promise.all(victims.map((instance) => system.killService(instance)));
    const [viaFirst, viaSecond] = await Promise.all(loads.map((load) => load.done));
    expect(viaSecond.accepted).toHaveLength(6 * 8); // calls' second replica answered every POST, before and after the kill

    // Read through the survivors only.
    const accepted = [...viaFirst.accepted, ...viaSecond.accepted];
    const calls = await settleCalls(second, accepted, 180_000);
    expect(calls).toHaveLength(accepted.length);
    // A call that did not connect is shown with its timeline, each event at its ms after the first: where it waited.
    const outcomes = calls.map((c) => (c.timeline.some((e) => e.type === 'CallConnected') ? 'connected' : `${c.status} ${c.reason}: ${story(c)}`));
    expect(outcomes).toEqual(accepted.map(() => 'connected'));
    await expectSound(second, calls);
    // One carrier leg per call: a call routed twice would have been placed twice, under two legIds.
    const legs = placedLegIds(await system.carrier.requests()).filter((legId) => !legsBefore.has(legId));
    const placedFor = await Promise.all(legs.map(async (legId) => (await system.carrier.leg(legId))?.order?.callId));
    expect(placedFor.filter((callId, i) => placedFor.indexOf(callId) !== i)).toEqual([]);
    expect(accepted.filter((callId) => !placedFor.includes(callId))).toEqual([]);
    // A POST in flight when calls' first replica died may have been committed without its 202 reaching
    // the client: such a call is not in `accepted`, yet it is a real call, carried to its end like the rest.
    const unseen = placedFor.filter((callId): callId is string => callId !== undefined && !accepted.includes(callId));
    expect(unseen.length).toBeLessThanOrEqual(viaFirst.refused);
    for (const call of await settleCalls(second, unseen, 60_000)) expect(call.timeline.map((e) => e.type)).toContain('CallConnected');
  }, 420_000);
});

const story = (call: CallView): string => {
  const start = Date.parse(call.timeline[0]?.at ?? '');
  return call.timeline.map((e) => `${e.type}@${Date.parse(e.at) - start}`).join(' ');
};

/**
 * The legs the carrier created, by the legId routing's idempotency key names (`place:<legId>`,
 * docs/carrier-api.md). A replica killed between the carrier's answer and recording it leaves the
 * placement to the survivor, which asks again for the same legId: the carrier answers that with the
 * first answer again (201, marked replayed), which is not another leg.
 */
const placedLegIds = (requests: readonly RequestRecord[]) =>
  requests
    .filter((r) => r.method === 'POST' && r.path.endsWith('/v1/legs') && r.outcome === 201 && !r.replayed)
    .map((r) => (r.idempotencyKey ?? '').replace(/^place:/, ''));
