import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { appendToStream, eventStoreMigrations, OutboxRelay, readStream } from '../src';
import {
  databaseUrl, eventually, freePort, removeDataDir, startPostgresCluster, startTestKafka, startTestPostgres, withClient,
  type PostgresCluster, type TestKafka, type TestPostgres,
} from './support/infrastructure';
import { observe } from './support/kafka-observer';
import { openStoreDatabase } from './support/store-database';

const source = 'calls' as const;
const noted = (n: number) => ({ type: 'Noted', data: { n } });

/**
 * What pg_dump and pg_restore (or any logical copy: a major-version upgrade by logical
 * replication, a move to another server) carry over: the rows as they are, transaction ids
 * included, and the position sequence. The new server numbers its transactions its own way.
 */
const restore = async (from: DataSource, to: DataSource): Promise<void> => {
  const events: Record<string, unknown>[] = await from.query(`SELECT * FROM es_events ORDER BY position`);
  for (const e of events) {
    await to.query(
      `INSERT INTO es_events (position, transaction_id, stream_id, stream_version, event_id, type, source, occurred_at,
                              correlation_id, causation_id, account_id, data, traceparent)
       VALUES ($1, $2::text::xid8, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [e.position, String(e.transaction_id), e.stream_id, e.stream_version, e.event_id, e.type, e.source, e.occurred_at,
        e.correlation_id, e.causation_id, e.account_id, JSON.stringify(e.data), e.traceparent],
    );
  }
  const checkpoints: Record<string, unknown>[] = await from.query(`SELECT name, transaction_id::text, position FROM es_relay_checkpoints`);
  for (const c of checkpoints) {
    await to.query(`INSERT INTO es_relay_checkpoints (name, transaction_id, position) VALUES ($1, $2::xid8, $3)`, [c.name, c.transaction_id, c.position]);
  }
  await to.query(`SELECT setval('es_events_position_seq', (SELECT max(position) FROM es_events))`);
};

describe('a store restored from a logical copy onto another server', () => {
  let pg: TestPostgres;
  let kafka: TestKafka;
  let fresh: PostgresCluster;
  let freshDir: string;
  let freshUrl: string;

  beforeAll(async () => {
    freshDir = await mkdtemp(join(tmpdir(), 'homeline-restore-'));
    const port = await freePort();
    [pg, kafka, fresh] = await Promise.all([
      startTestPostgres(),
      startTestKafka(),
      startPostgresCluster({
        dataDir: join(freshDir, 'data'), port, user: 'postgres', password: 'postgres', authMethod: 'password',
        flags: ['-c', 'fsync=off', '-c', 'unix_socket_directories='], durable: false,
      }),
    ]);
    freshUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  });
  afterAll(async () => {
    await fresh?.stop();
    if (freshDir) await removeDataDir(freshDir, join(freshDir, 'data'));
    await kafka?.stop();
    await pg?.stop();
  });

  it('publishes what the copy had not published and what is appended after the restore, and appends to the streams it brought', async () => {
    const topic = 'relay.restored';
    await kafka.createTopics([topic]);
    // The server the store lived on had run longer than the one it is restored onto: its transaction ids are ahead.
    const origin = await openStoreDatabase(pg);
    await origin.query(`DO $$ BEGIN FOR i IN 1..3000 LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$`);
    await withClient(freshUrl, (c) => c.query(`CREATE DATABASE restored`));
    const target = new DataSource({ type: 'postgres', url: databaseUrl(freshUrl, 'restored'), migrations: eventStoreMigrations, poolSize: 5 });
    await target.initialize();
    const observer = await observe(kafka.client(), [topic]);
    // The streams' keys land on different partitions, whose messages reach the observer in any order.
    const published = () => observer.seen.map((o) => o.message.key?.toString()).sort();
    try {
      await appendToStream(origin.manager, 'call-before', [noted(1)], { expectedVersion: 0, source });
      const before = new OutboxRelay({ dataSource: origin, kafka: kafka.client(), topicFor: () => topic, pollIntervalMs: 200 });
      await before.start();
      await eventually(() => expect(published()).toEqual(['call-before']));
      await before.stop(); // records its checkpoint
      // Appended after the relay stopped: in the copy, not yet published.
      await appendToStream(origin.manager, 'call-pending', [noted(2)], { expectedVersion: 0, source });

      await target.runMigrations();
      await restore(origin, target);
      const renumbered: unknown[] = [];
      const after = new OutboxRelay({
        dataSource: target, kafka: kafka.client(), topicFor: () => topic, pollIntervalMs: 200, logger: { warn: (details) => void renumbered.push(details) },
      });
      await after.start();
      try {
        // A new call, after the restore: published like any other.
        await appendToStream(target.manager, 'call-after', [noted(3)], { expectedVersion: 0, source });
        await eventually(() => expect(published()).toEqual(['call-after', 'call-before', 'call-pending']));
        // A call the restore brought goes on.
        await appendToStream(target.manager, 'call-before', [noted(4)], { expectedVersion: 1, source });
        expect((await readStream(target.manager, 'call-before')).events.map((e) => e.data)).toEqual([{ n: 1 }, { n: 4 }]);
        await eventually(() => expect(published()).toEqual(['call-after', 'call-before', 'call-before', 'call-pending']));
        expect(renumbered).toEqual([{ relay: 'default', events: 2 }]); // said, once: an operator should know
      } finally {
        await after.stop();
      }
    } finally {
      await observer.stop();
      await target.destroy();
      await origin.destroy();
    }
  });
});
