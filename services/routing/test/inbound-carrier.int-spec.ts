import type { IntegrationEvent } from '@homeline/contracts';
import { eventually, startTestPostgres, type TestPostgres } from '@homeline/testing';
import { DataSource } from 'typeorm';
import type { CallVerdict } from '../src/application/inbound-progress';
import type { RegistryEvent } from '../src/application/registry-projection';
import type { RoutingApplication } from '../src/edges/routing.composition';
import { routingDatabase, routingOn, ScriptedCarrier } from './support/carrier-desk';
import { HouseholdEvents } from './support/household';
import { callsSays, carrierCallId, freshLine } from './support/inbound';

const hour = 3_600_000;

/**
 * What routing asks of the carrier about inbound calls, and when: only after the decision committed,
 * through the carrier request queue (claim, call, record), once per decision. A carrier the test
 * reads (ScriptedCarrier) stands where the carrier adapter does; the database is real.
 */
describe('the carrier requests of inbound calls', () => {
  let pg: TestPostgres;
  let dataSource: DataSource;
  let routing: RoutingApplication;
  const carrier = new ScriptedCarrier();
  const home = new HouseholdEvents(freshLine());
  const [kitchen, hall] = [home.device(), home.device()];
  const away = new HouseholdEvents(freshLine());
  away.device();
  away.awayMode(true);

  beforeAll(async () => {
    pg = await startTestPostgres();
    dataSource = await routingDatabase(pg);
    routing = routingOn(dataSource, carrier, hour);
    await dataSource.transaction((tx) =>
      routing.registry.apply(tx, [...home.events, ...away.events] as unknown as RegistryEvent[]),
    );
    await routing.dispatcher.start();
  });
  afterAll(async () => {
    await routing?.dispatcher.stop();
    await dataSource?.destroy();
    await pg?.stop();
  });

  const offer = async (to: string) => {
    const cc = carrierCallId();
    const outcome = await routing.inbound.offer({ carrierCallId: cc, from: '+12125550142', to, sensitive: false });
    if (outcome.kind !== 'offered') throw new Error(`not offered: ${outcome.kind}`);
    return { callId: outcome.callId, cc };
  };
  const follow = (...events: unknown[]) =>
    dataSource.transaction((tx) => routing.inboundProgress.follow(tx, events as IntegrationEvent[] as CallVerdict[]));
  const asked = (cc: string) => carrier.log.filter((line) => line.includes(cc));
  const queued = async () => (await dataSource.query(`SELECT count(*)::int AS n FROM carrier_requests`))[0].n;

  it('sends a declined call to voicemail with its reason', async () => {
    const { cc } = await offer(away.msisdn);
    await eventually(() => expect(asked(cc)).toEqual([`voicemail ${cc} away_mode`]));
  });

  it('asks nothing of the carrier for a call that rings', async () => {
    const { callId, cc } = await offer(home.msisdn);
    await follow(callsSays.noAnswer(home.accountId, callId)); // nobody answering: voicemail
    // A call's requests run in order: had the offer asked anything, it would come first.
    await eventually(() => expect(asked(cc)).toEqual([`voicemail ${cc} no_answer`]));
  });

  it('bridges the answering device once, though the same CallConnected is handled twice', async () => {
    const { callId, cc } = await offer(home.msisdn);
    const connected = callsSays.connected(home.accountId, callId, hall);
    await follow(connected);
    await follow(connected);
    await eventually(async () => expect(await queued()).toBe(0));
    expect(asked(cc)).toEqual([`bridge ${cc} ${hall}`]);
  });

  it('releases the caller after the bridge when the household hangs up', async () => {
    const { callId, cc } = await offer(home.msisdn);
    await follow(callsSays.connected(home.accountId, callId, kitchen), callsSays.ended(home.accountId, callId, 'hung_up'));
    await eventually(() => expect(asked(cc)).toEqual([`bridge ${cc} ${kitchen}`, `hang_up ${cc}`]));
  });

  it('ends the call and releases the caller when the carrier will not bridge the device that answered', async () => {
    const { callId, cc } = await offer(home.msisdn);
    carrier.unbridgeable.add(hall);
    try {
      await follow(callsSays.connected(home.accountId, callId, hall));
      await eventually(() => expect(asked(cc)).toEqual([`bridge ${cc} ${hall}`, `hang_up ${cc}`]));
    } finally {
      carrier.unbridgeable.delete(hall);
    }
    // InboundCallAbandoned: calls ends the call it had connected, which no deadline would have.
    const types = (await dataSource.query(`SELECT type FROM es_events WHERE stream_id = $1 ORDER BY stream_version`, [`inbound-${callId}`]))
      .map((row: { type: string }) => row.type);
    expect(types[types.length - 1]).toBe('InboundCallAbandoned');
    expect(await queued()).toBe(0);
  });

  it('asks nothing more when the caller hung up on the carrier’s side', async () => {
    const { callId, cc } = await offer(home.msisdn);
    expect(await routing.inboundCallbacks.apply({ carrierCallId: cc, status: 'canceled', sequence: 2, occurredAt: new Date().toISOString() })).toBe('applied');
    await follow(callsSays.ended(home.accountId, callId, 'caller_hung_up'), callsSays.noAnswer(home.accountId, callId));
    // Requests are claimed in the order they were queued: once a later one reached the carrier, any earlier had.
    const later = await offer(away.msisdn);
    await eventually(() => expect(asked(later.cc)).toHaveLength(1));
    expect(asked(cc)).toEqual([]);
  });
});
