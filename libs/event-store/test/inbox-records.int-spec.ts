import { recordInInbox } from '../src';
import { useStoreDatabase } from './support/store-database';

describe('the inbox', () => {
  const store = useStoreDatabase();

  it('admits each event id once per consumer', async () => {
    const first = await store.db.transaction((m) => recordInInbox(m, 'audit', ['e1', 'e2', 'e2']));
    const again = await store.db.transaction((m) => recordInInbox(m, 'audit', ['e2', 'e3']));
    const otherConsumer = await store.db.transaction((m) => recordInInbox(m, 'billing', ['e1']));
    expect([...first].sort()).toEqual(['e1', 'e2']);
    expect([...again]).toEqual(['e3']);
    expect([...otherConsumer]).toEqual(['e1']);
  });

  it('forgets ids whose transaction rolled back, so the event is processed on redelivery', async () => {
    await expect(
      store.db.transaction(async (m) => {
        await recordInInbox(m, 'audit', ['e9']);
        throw new Error('effect failed');
      }),
    ).rejects.toThrow('effect failed');
    expect([...(await store.db.transaction((m) => recordInInbox(m, 'audit', ['e9'])))]).toEqual(['e9']);
  });
});
