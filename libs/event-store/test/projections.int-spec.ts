import { eventually, startTestPostgres, type TestPostgres } from './support/infrastructure';
import type { DataSource, EntityManager } from 'typeorm';
import {
  appendToStream, catchUpProjection, ProjectionRunner, readProjectionCheckpoint, rebuildProjection,
  type Projection, type RecordedEvent,
} from '../src';
import { openStoreDatabase } from './support/store-database';

const source = 'calls' as const;

// Read model: total per stream of the Incremented events.
const totals: Projection = {
  name: 'totals',
  eventTypes: ['Incremented'],
  apply: async (events: readonly RecordedEvent[], manager: EntityManager) => {
    for (const e of events) {
      await manager.query(
        `INSERT INTO totals (stream_id, total) VALUES ($1, $2)
         ON CONFLICT (stream_id) DO UPDATE SET total = totals.total + excluded.total`,
        [e.streamId, e.data.by],
      );
    }
  },
  truncate: async (manager) => {
    await manager.query(`TRUNCATE totals`);
  },
};

const totalsIn = async (db: DataSource) =>
  Object.fromEntries(
    (await db.query(`SELECT stream_id, total FROM totals ORDER BY stream_id`)).map(
      (r: { stream_id: string; total: number }) => [r.stream_id, r.total],
    ),
  );

const increment = (db: DataSource, streamId: string, version: number, by: number) =>
  appendToStream(db.manager, streamId, [{ type: 'Incremented', data: { by } }], { expectedVersion: version, source });

describe('a projection over the store', () => {
  let pg: TestPostgres;
  let db: DataSource;

  beforeAll(async () => {
    pg = await startTestPostgres();
    db = await openStoreDatabase(pg);
    await db.query(`CREATE TABLE totals (stream_id text PRIMARY KEY, total int NOT NULL)`);
  });
  afterAll(async () => {
    await db?.destroy();
    await pg?.stop();
  });

  it('applies each event once across catch-ups and skips the types it does not handle', async () => {
    await increment(db, 'a', 0, 1);
    await increment(db, 'b', 0, 10);
    await appendToStream(db.manager, 'a', [{ type: 'Renamed', data: { by: 1000 } }], { expectedVersion: 1, source });
    expect(await catchUpProjection(db, totals)).toBe(3);
    expect(await catchUpProjection(db, totals)).toBe(0);
    await increment(db, 'a', 2, 2);
    await catchUpProjection(db, totals, { batchSize: 1 });

    expect(await totalsIn(db)).toEqual({ a: 3, b: 10 });
    expect((await readProjectionCheckpoint(db.manager, 'totals'))?.position).toBeGreaterThan(0n);
  });

  it('rebuilds the read model from the whole store on demand', async () => {
    await db.query(`UPDATE totals SET total = -1`);
    await db.query(`INSERT INTO totals VALUES ('stale', 7)`);

    expect(await rebuildProjection(db, totals, { batchSize: 2 })).toBe(4);
    expect(await totalsIn(db)).toEqual({ a: 3, b: 10 });
    await increment(db, 'b', 1, 5);
    await catchUpProjection(db, totals);
    expect(await totalsIn(db)).toEqual({ a: 3, b: 15 });
  });

  it('keeps up in the background as events are appended', async () => {
    const runner = new ProjectionRunner({ dataSource: db, projections: [totals], pollIntervalMs: 60_000 });
    await runner.start();
    try {
      await increment(db, 'c', 0, 4);
      // Woken by the append's NOTIFY: the poll interval is far longer than the test's timeout.
      await eventually(async () => expect((await totalsIn(db)).c).toBe(4), { timeoutMs: 10_000 });
    } finally {
      await runner.stop();
    }
  });
});
