import { startTestPostgres, type TestPostgres } from './support/infrastructure';
import type { DataSource } from 'typeorm';
import { recordInInbox } from '../src';
import { openStoreDatabase } from './support/store-database';

describe('the inbox', () => {
  let pg: TestPostgres;
  let db: DataSource;

  beforeAll(async () => {
    pg = await startTestPostgres();
    db = await openStoreDatabase(pg);
  });
  afterAll(async () => {
    await db?.destroy();
    await pg?.stop();
  });

  it('admits each event id once per consumer', async () => {
    const first = await db.transaction((m) => recordInInbox(m, 'audit', ['e1', 'e2', 'e2']));
    const again = await db.transaction((m) => recordInInbox(m, 'audit', ['e2', 'e3']));
    const otherConsumer = await db.transaction((m) => recordInInbox(m, 'billing', ['e1']));
    expect([...first].sort()).toEqual(['e1', 'e2']);
    expect([...again]).toEqual(['e3']);
    expect([...otherConsumer]).toEqual(['e1']);
  });

  it('forgets ids whose transaction rolled back, so the event is processed on redelivery', async () => {
    await expect(
      db.transaction(async (m) => {
        await recordInInbox(m, 'audit', ['e9']);
        throw new Error('effect failed');
      }),
    ).rejects.toThrow('effect failed');
    expect([...(await db.transaction((m) => recordInInbox(m, 'audit', ['e9'])))]).toEqual(['e9']);
  });
});
