import { type IntegrationEvent } from '@homeline/contracts';
import { appendToStream, eventStoreMigrations, OutboxRelay, randomIds, systemClock } from '@homeline/event-store';
import { eventually, startTestKafka, startTestPostgres, type TestKafka, type TestPostgres } from '@homeline/testing';
import type { Consumer } from 'kafkajs';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { CarrierUnavailable, type CarrierPort } from '../src/application/carrier.port';
import { CarrierWork } from '../src/application/carrier-work';
import { inboundCommands, legCommands } from '../src/application/streams';
import { LegDispatcher } from '../src/edges/leg-dispatcher';
import { SqlCarrierRequests } from '../src/edges/sql/carrier-requests.sql';
import { SqlInboundCalls } from '../src/edges/sql/inbound-calls.sql';
import {
  carrierCallIdOf,
  requestLeg,
  routingDatabase,
  routingOn,
  ScriptedCarrier,
  typesOf,
} from './support/carrier-desk';

const hour = 3_600_000;

describe('carrier work: claim, commit, call the carrier, record', () => {
  let pg: TestPostgres;
  let dataSource: DataSource;
  const queued = async () => (await dataSource.query(`SELECT count(*)::int AS n FROM carrier_requests`))[0].n;

  beforeAll(async () => {
    pg = await startTestPostgres();
    dataSource = await routingDatabase(pg);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await pg?.stop();
  });

  const dispatching = async (carrier: ScriptedCarrier, run: () => Promise<void>, pollMs = hour) => {
    const routing = routingOn(dataSource, carrier, pollMs);
    await routing.dispatcher.start();
    try {
      await run();
    } finally {
      carrier.open();
      await routing.dispatcher.stop();
    }
    return routing;
  };

  /** The dispatcher's work on one claimed request at a time, against `carrier`. */
  const workWith = (carrier: CarrierPort, maxAttempts: number) =>
    new CarrierWork(dataSource, new SqlCarrierRequests(dataSource), carrier, legCommands(), systemClock, {
      maxAttempts,
      inbound: { calls: new SqlInboundCalls(), commands: inboundCommands() },
    });
  /** Claims the one queued request once it falls due (after its backoff), and says it is the `action` expected. */
  const claimWhenDue = async (action: string, claim: string) => {
    const [request] = await eventually(async () => {
      const { claimed } = await new SqlCarrierRequests(dataSource).claim(10, 30_000, claim, null);
      expect(claimed.map((r) => r.action)).toEqual([action]);
      return claimed;
    });
    return request;
  };
  /** The leg's call is over (CallEnded), as routing's consumer would release it. */
  const endCallOf = (legId: string, carrier: CarrierPort = new ScriptedCarrier()) =>
    dataSource.transaction((tx) => routingOn(dataSource, carrier, hour).releaser.release(tx, [callEnded(legId)]));

  it('places a leg queued before a crash when it starts again', async () => {
    await requestLeg(dataSource, 'leg-crash'); // the decision committed, then the process died
    const carrier = new ScriptedCarrier();
    await dispatching(carrier, async () => {
      await eventually(async () => expect(await carrierCallIdOf(dataSource, 'leg-crash')).toBe('cc-leg-crash'));
    });
    expect(carrier.log).toEqual(['place leg-crash', 'placed leg-crash']);
    expect(await queued()).toBe(0);
  });

  it('retries a refused placement with the same legId when it falls due, though the safety-net poll is an hour away', async () => {
    const carrier = new ScriptedCarrier(2);
    await dispatching(carrier, async () => {
      await requestLeg(dataSource, 'leg-retry'); // woken by NOTIFY, then by its own next due time
      await eventually(async () => expect(await carrierCallIdOf(dataSource, 'leg-retry')).toBe('cc-leg-retry'));
    });
    expect(carrier.log).toEqual(['place leg-retry', 'place leg-retry', 'place leg-retry', 'placed leg-retry']);
    expect(await queued()).toBe(0);
  });

  it('fails the leg when the carrier keeps refusing it, so the call need not wait for its deadline', async () => {
    await requestLeg(dataSource, 'leg-refused');
    const work = workWith(new ScriptedCarrier(1), 1);
    const { claimed } = await new SqlCarrierRequests(dataSource).claim(10, 30_000, 'claim-1', null);
    await Promise.all(claimed.map((request) => work.perform(request)));
    expect(await typesOf(dataSource, 'leg-refused')).toEqual(['CarrierLegRequested', 'CarrierLegFailed']);
    expect(await queued()).toBe(0);
  });

  it('hangs up a leg the carrier placed after all, when its callback comes after the placement was given up', async () => {
    await requestLeg(dataSource, 'leg-placed-late');
    // Every try failed as far as routing could tell (timed out, say): the leg failed, and its call with it.
    const work = workWith(new ScriptedCarrier(1), 1);
    const { claimed } = await new SqlCarrierRequests(dataSource).claim(10, 30_000, 'claim-late', null);
    await Promise.all(claimed.map((request) => work.perform(request)));
    expect(await typesOf(dataSource, 'leg-placed-late')).toEqual(['CarrierLegRequested', 'CarrierLegFailed']);

    const carrier = new ScriptedCarrier();
    await dispatching(carrier, async () => {
      const { callbacks } = routingOn(dataSource, carrier, hour);
      const late = (status: 'ringing' | 'answered', sequence: number) =>
        callbacks.apply({ legId: 'leg-placed-late', carrierCallId: 'cc-placed-late', status, sequence, occurredAt: new Date().toISOString() });
      // The carrier did place it: its phone rings for a call routing and calls have given up.
      expect(await late('ringing', 1)).toBe('ignored');
      await eventually(() => expect(carrier.log).toEqual(['hang_up cc-placed-late']));
      expect(await late('answered', 2)).toBe('ignored');
      await eventually(async () => expect(await queued()).toBe(0));
    });
    expect(carrier.log).toEqual(['hang_up cc-placed-late']); // asked once
    expect(await typesOf(dataSource, 'leg-placed-late')).toEqual(['CarrierLegRequested', 'CarrierLegFailed']);
  });

  it('places a leg whose dispatcher died holding the claim, once the lease expires', async () => {
    await requestLeg(dataSource, 'leg-orphan');
    const { claimed } = await new SqlCarrierRequests(dataSource).claim(10, 300, 'dead-dispatcher', null);
    expect(claimed.map((r) => r.legId)).toEqual(['leg-orphan']);
    const carrier = new ScriptedCarrier();
    await dispatching(carrier, async () => {
      await eventually(async () => expect(await carrierCallIdOf(dataSource, 'leg-orphan')).toBe('cc-leg-orphan'));
    });
    expect(carrier.log).toEqual(['place leg-orphan', 'placed leg-orphan']);
  });

  /** A PostgreSQL session of its own, as a dispatcher's listening connection is: its pid, and how it ends. */
  const session = async () => {
    const [client, release] = (await (dataSource.driver as PostgresDriver).obtainMasterConnection()) as [PoolClient, (error?: Error) => void];
    const { rows } = await client.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`);
    return { pid: rows[0].pid, end: () => release(new Error('the dispatcher died')) };
  };

  it("takes over at once the claims of a dispatcher whose session is gone, long before their lease ends", async () => {
    await requestLeg(dataSource, 'leg-abandoned');
    const dead = await session();
    const { claimed } = await new SqlCarrierRequests(dataSource).claim(10, hour, 'killed-dispatcher', dead.pid);
    expect(claimed.map((r) => r.legId)).toEqual(['leg-abandoned']);
    dead.end(); // killed -9: PostgreSQL sees its connection close
    const carrier = new ScriptedCarrier();
    await dispatching(carrier, async () => {
      await eventually(async () => expect(await carrierCallIdOf(dataSource, 'leg-abandoned')).toBe('cc-leg-abandoned'));
    });
    expect(carrier.log).toEqual(['place leg-abandoned', 'placed leg-abandoned']);
  });

  it('leaves alone the claims of a dispatcher that is alive, while it places what nobody holds', async () => {
    await requestLeg(dataSource, 'leg-held');
    const alive = await session();
    const requests = new SqlCarrierRequests(dataSource);
    await requests.claim(10, hour, 'live-dispatcher', alive.pid);
    const carrier = new ScriptedCarrier();
    try {
      await dispatching(carrier, async () => {
        await requestLeg(dataSource, 'leg-free');
        await eventually(async () => expect(await carrierCallIdOf(dataSource, 'leg-free')).toBe('cc-leg-free'));
      });
      expect(carrier.log).toEqual(['place leg-free', 'placed leg-free']);
    } finally {
      alive.end();
      await dataSource.query(`DELETE FROM carrier_requests WHERE claim_token = 'live-dispatcher'`);
    }
  });

  it('never places a leg released before its placement was claimed', async () => {
    await requestLeg(dataSource, 'leg-dropped');
    await endCallOf('leg-dropped');
    await requestLeg(dataSource, 'leg-after');
    const carrier = new ScriptedCarrier();
    await dispatching(carrier, async () => {
      await eventually(async () => expect(await carrierCallIdOf(dataSource, 'leg-after')).toBe('cc-leg-after'));
    });
    // Requests are claimed in order: had the first been queued still, it would have gone first.
    expect(carrier.log).toEqual(['place leg-after', 'placed leg-after']);
    expect(await typesOf(dataSource, 'leg-dropped')).toEqual(['CarrierLegRequested', 'CarrierLegEnded']);
  });

  it('drops, when its call ends, a placement the carrier never carried out, however often it was tried', async () => {
    await requestLeg(dataSource, 'leg-unplaced');
    const unreachable = Object.assign(new ScriptedCarrier(), {
      placeLeg: async () => { throw new CarrierUnavailable('carrier place: carrier unreachable (connect ECONNREFUSED)', false, true); },
    });
    for (const claim of ['claim-unplaced-1', 'claim-unplaced-2']) await workWith(unreachable, 8).perform(await claimWhenDue('place', claim));
    // The call fails (its ringing deadline): the leg is released while the placement waits for its next try.
    await endCallOf('leg-unplaced');
    expect(await queued()).toBe(0); // no placement, and no hang-up behind it
    expect(await typesOf(dataSource, 'leg-unplaced')).toEqual(['CarrierLegRequested', 'CarrierLegEnded']);
  });

  it('hangs up a leg whose call ended while its placement was at the carrier, after the placement', async () => {
    const carrier = new ScriptedCarrier();
    carrier.hold();
    await dispatching(carrier, async () => {
      await requestLeg(dataSource, 'leg-ended');
      await eventually(() => expect(carrier.log).toEqual(['place leg-ended']));
      await endCallOf('leg-ended', carrier);
      carrier.open();
      await eventually(() =>
        expect(carrier.log).toEqual(['place leg-ended', 'placed leg-ended', 'hang_up cc-leg-ended']),
      );
      await eventually(async () => expect(await queued()).toBe(0));
    });
  });

  it('never gives up a hang-up while the carrier is away, nor while its circuit is open', async () => {
    const carrier = new ScriptedCarrier();
    await dispatching(carrier, async () => {
      await requestLeg(dataSource, 'leg-away');
      await eventually(async () => expect(await carrierCallIdOf(dataSource, 'leg-away')).toBe('cc-leg-away'));
    });
    await endCallOf('leg-away', carrier);
    const hangUpWith = async (far: ScriptedCarrier, claim: string) => workWith(far, 1).perform(await claimWhenDue('hang_up', claim));
    const pending = async () => (await dataSource.query(`SELECT action, attempts FROM carrier_requests`)) as Array<{ action: string; attempts: number }>;

    const unreachable = Object.assign(new ScriptedCarrier(), { hangUp: async () => { throw new CarrierUnavailable('carrier hang_up: carrier unreachable'); } });
    await hangUpWith(unreachable, 'claim-away-1');
    await hangUpWith(unreachable, 'claim-away-2'); // past maxAttempts: a placement would have been given up by now
    expect(await pending()).toEqual([{ action: 'hang_up', attempts: 2 }]);
    const circuitOpen = Object.assign(new ScriptedCarrier(), { hangUp: async () => { throw new CarrierUnavailable("carrier hang_up not sent: the carrier's circuit is open", true); } });
    await hangUpWith(circuitOpen, 'claim-away-3');
    expect(await pending()).toEqual([{ action: 'hang_up', attempts: 3 }]);

    const back = new ScriptedCarrier();
    await hangUpWith(back, 'claim-away-4');
    expect(back.log).toEqual(['hang_up cc-leg-away']);
    expect(await queued()).toBe(0);
  });

  it("waits at least as long as the carrier's Retry-After before it tries a request again", async () => {
    await requestLeg(dataSource, 'leg-paced');
    const pacing = Object.assign(new ScriptedCarrier(), {
      placeLeg: async () => { throw new CarrierUnavailable('carrier place: carrier answered 429', false, true, 60_000); },
    });
    await workWith(pacing, 8).perform(await claimWhenDue('place', 'claim-paced'));
    const [{ waits }] = await dataSource.query(`SELECT extract(epoch FROM available_at - now())::float8 AS waits FROM carrier_requests`);
    expect(waits).toBeGreaterThan(55); // not the 0.25-0.5 s of its backoff
    await endCallOf('leg-paced');
    expect(await queued()).toBe(0); // a 429 placed nothing: dropped with its call
  });

  it("never gives up an emergency call's placement, and tries it again within a second whatever Retry-After says", async () => {
    await requestLeg(dataSource, 'leg-911', true);
    const pacing = Object.assign(new ScriptedCarrier(), {
      placeLeg: async () => { throw new CarrierUnavailable('carrier place: carrier answered 429', false, true, 60_000); },
    });
    for (const claim of ['claim-911-1', 'claim-911-2', 'claim-911-3']) await workWith(pacing, 1).perform(await claimWhenDue('place', claim));
    const [{ attempts, waits }] = await dataSource.query(`SELECT attempts, extract(epoch FROM available_at - now())::float8 AS waits FROM carrier_requests`);
    expect(attempts).toBe(3); // past maxAttempts (1): an ordinary placement would have failed its leg
    expect(waits).toBeLessThanOrEqual(1);
    expect(await typesOf(dataSource, 'leg-911')).toEqual(['CarrierLegRequested']);
    await endCallOf('leg-911');
    expect(await queued()).toBe(0);
  });

  it("claims an emergency call's placement before those queued ahead of it", async () => {
    await requestLeg(dataSource, 'leg-ordinary');
    await requestLeg(dataSource, 'leg-112', true);
    const requests = new SqlCarrierRequests(dataSource);
    const { claimed } = await requests.claim(1, 30_000, 'claim-first', null);
    expect(claimed.map((r) => r.legId)).toEqual(['leg-112']);
    expect((await requests.claim(5, 30_000, 'claim-emergency-only', null, true)).claimed).toEqual([]); // the other is no emergency
    await dataSource.query(`DELETE FROM carrier_requests WHERE leg_id IN ('leg-ordinary', 'leg-112')`); // nothing left for the tests after
  });

  it('claims the next request as soon as a slot frees, when all those not kept for emergency calls were taken', async () => {
    const carrier = new ScriptedCarrier();
    carrier.hold(); // the first placement waits at the carrier, taking the one ordinary slot of three
    const dispatcher = new LegDispatcher(dataSource, new SqlCarrierRequests(dataSource), workWith(carrier, 8), randomIds, { pollMs: hour, maxInFlight: 3 });
    await dispatcher.start();
    try {
      for (const legId of ['leg-slot-1', 'leg-slot-2', 'leg-slot-3']) await requestLeg(dataSource, legId);
      await eventually(() => expect(carrier.log).toEqual(['place leg-slot-1']));
      carrier.open(); // nothing is notified from here on: only the freed slot can wake the dispatcher
      for (const legId of ['leg-slot-1', 'leg-slot-2', 'leg-slot-3'])
        await eventually(async () => expect(await carrierCallIdOf(dataSource, legId)).toBe(`cc-${legId}`));
    } finally {
      carrier.open();
      await dispatcher.stop();
    }
  });

  describe('with a slow carrier', () => {
    let kafka: TestKafka;
    let other: DataSource;
    let observer: Consumer;
    const seen: string[] = [];

    beforeAll(async () => {
      kafka = await startTestKafka();
      // Another service's database on the same PostgreSQL server.
      other = new DataSource({ type: 'postgres', url: await pg.createDatabase(), migrations: eventStoreMigrations });
      await other.initialize();
      await other.runMigrations();
      await kafka.createTopics(['test.other.v1', 'test.routing.v1']); // Kafka creates no topic a consumer merely asks for
      observer = kafka.client().consumer({ groupId: 'slow-carrier-observer', maxWaitTimeInMs: 100 });
      await observer.connect();
      await observer.subscribe({ topics: ['test.other.v1', 'test.routing.v1'], fromBeginning: true });
      await observer.run({
        eachMessage: async ({ topic, message }) =>
          void seen.push(`${topic} ${JSON.parse(String(message.value)).streamId}`),
      });
    });
    afterAll(async () => {
      await observer?.disconnect();
      await other?.destroy();
      await kafka?.stop();
    });

    it("delays no other writer's events while it holds a call: they are published before it answers", async () => {
      const relays = [
        new OutboxRelay({ dataSource: other, kafka: kafka.client(), name: 'other', topicFor: () => 'test.other.v1' }),
        new OutboxRelay({ dataSource, kafka: kafka.client(), name: 'routing', topicFor: () => 'test.routing.v1' }),
      ];
      await Promise.all(relays.map((relay) => relay.start()));
      const carrier = new ScriptedCarrier();
      carrier.hold();
      try {
        await dispatching(carrier, async () => {
          await requestLeg(dataSource, 'leg-slow');
          await eventually(() => expect(carrier.log).toEqual(['place leg-slow'])); // the carrier holds the call

          await other.transaction((tx) =>
            appendToStream(tx, 'call-elsewhere', [{ type: 'CallRequested', data: { callId: 'elsewhere' } }], {
              expectedVersion: 'no-stream',
              source: 'calls',
            }),
          );
          await requestLeg(dataSource, 'leg-next'); // routing's own next event, appended while the carrier holds the first
          await eventually(() =>
            expect(seen).toEqual(
              expect.arrayContaining(['test.other.v1 call-elsewhere', 'test.routing.v1 leg-leg-next']),
            ),
          );
          expect(carrier.log).not.toContain('placed leg-slow'); // published before the carrier answered

          carrier.open();
          await eventually(async () => expect(await carrierCallIdOf(dataSource, 'leg-slow')).toBe('cc-leg-slow'));
        });
      } finally {
        await Promise.all(relays.map((relay) => relay.stop()));
      }
    });
  });
});

const callEnded = (legId: string): IntegrationEvent<'CallEnded'> => ({
  id: '7d1b2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
  type: 'CallEnded',
  source: 'calls',
  streamId: `call-call-${legId}`,
  streamVersion: 9,
  occurredAt: new Date().toISOString(),
  correlationId: `call-${legId}`,
  causationId: null,
  accountId: 'acc-1',
  data: { callId: `call-${legId}`, duration: 0, cause: 'cancelled', endedAt: new Date().toISOString() },
});
