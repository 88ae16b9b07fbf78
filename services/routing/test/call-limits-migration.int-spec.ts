import { appendToStream, eventStoreMigrations } from '@homeline/event-store';
import { startTestPostgres, type TestPostgres } from '@homeline/testing';
import { DataSource } from 'typeorm';
import { routingMigrations } from '../src/edges/migrations';
import { RoutingCallLimits1764450000000 } from '../src/edges/migrations/routing-call-limits.migration';
import { SqlCallUsage } from '../src/edges/sql/call-usage.sql';

/**
 * A database routing ran on before the limits: the migration gives the legs it already holds the
 * class their route resolved to and the end their stream recorded, so the limits count them.
 */
describe('the call limits migration on a database with calls already routed', () => {
  let pg: TestPostgres;
  let url: string;
  let dataSource: DataSource | undefined;

  beforeAll(async () => {
    pg = await startTestPostgres();
    url = await pg.createDatabase();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await pg?.stop();
  });

  const migrated = async (migrations: readonly (typeof routingMigrations)[number][]) => {
    const source = new DataSource({ type: 'postgres', url, migrations: [...eventStoreMigrations, ...migrations] });
    await source.initialize();
    await source.runMigrations();
    return source;
  };

  const record = (source: DataSource, streamId: string, types: readonly [string, Record<string, unknown>][]) =>
    appendToStream(source.manager, streamId, types.map(([type, data]) => ({ type, data })), { expectedVersion: 'no-stream', source: 'routing' });

  it('counts the international leg still up, and not the ended one, toward the limits', async () => {
    const before = await migrated(routingMigrations.slice(0, routingMigrations.indexOf(RoutingCallLimits1764450000000)));
    const routedAt = new Date(Date.now() - 5_000);
    for (const [call, cls, over] of [['c1', 'international', true], ['c2', 'international', false], ['c3', 'emergency', false]] as const) {
      await before.query(`INSERT INTO carrier_legs (leg_id, call_id, account_id, created_at) VALUES ($1, $2, 'acc-1', $3)`, [`leg-${call}`, call, routedAt]);
      await record(before, `route-${call}`, [['DestinationResolved', { callId: call, class: cls }]]);
      await record(before, `leg-leg-${call}`, [['CarrierLegRequested', { callId: call }], ...(over ? [['CarrierLegEnded', { callId: call }] as [string, Record<string, unknown>]] : [])]);
    }
    await before.destroy();

    dataSource = await migrated(routingMigrations);
    const rows = await dataSource.query(`SELECT call_id, class, ended_at IS NOT NULL AS over FROM carrier_legs ORDER BY call_id`);
    expect(rows).toEqual([
      { call_id: 'c1', class: 'international', over: true },
      { call_id: 'c2', class: 'international', over: false },
      { call_id: 'c3', class: 'emergency', over: false },
    ]);
    const usage = await dataSource.transaction((tx) =>
      new SqlCallUsage().lockAndRead(tx, [{ accountId: 'acc-1', deviceId: 'kitchen' }], {
        rateSince: new Date(Date.now() - 60_000),
        budgetSince: new Date(Date.now() - 86_400_000),
      }),
    );
    // the device of a leg routed before the migration is unknown: it counts for the account only
    expect(usage({ accountId: 'acc-1', deviceId: 'kitchen' })).toEqual({ device: 0, account: 2, international: 2, premium: 0, liveLegs: 1 });
  });
});
