import type { DataSource } from 'typeorm';
import { eventually } from './support/infrastructure';
import { handleCommand, readStream, TooManyConflicts } from '../src';
import { gate } from './support/gate';
import { useStoreDatabase } from './support/store-database';
import { tally } from './support/tally';

const source = 'calls' as const;
const increment = (by: number) => ({ type: 'Increment' as const, by, limit: 100 });

/** Resolves once some backend waits for a lock (the loser's insert waiting on the winner's row). */
const someoneWaitsForALock = (db: DataSource) =>
  eventually(async () => {
    const [{ waiting }] = await db.query(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    expect(waiting).toBeGreaterThan(0);
  });

describe('two writers racing on one stream', () => {
  const store = useStoreDatabase();

  it('lets one win; the other gets the conflict, reloads and succeeds; no version is written twice', async () => {
    await handleCommand(store.db, tally, 'tally-1', increment(1), { source });
    const winnerAppended = gate();
    const winnerMayCommit = gate();

    // The winner appends version 2 and holds its transaction open...
    const winner = handleCommand(store.db, tally, 'tally-1', increment(10), {
      source,
      inTransaction: async () => {
        winnerAppended.open();
        await winnerMayCommit.opened;
      },
    });
    await winnerAppended.opened;
    // ...the loser read version 1 too and blocks inserting version 2 until the winner commits.
    const loser = handleCommand(store.db, tally, 'tally-1', increment(100), { source });
    await someoneWaitsForALock(store.db);
    winnerMayCommit.open();

    const [won, lost] = await Promise.all([winner, loser]);
    expect(won.attempts).toBe(1);
    expect(lost.attempts).toBe(2);
    expect(lost.state).toEqual({ total: 111, closed: true });

    const stream = await readStream(store.db.manager, 'tally-1');
    expect(stream.events.map((e) => [e.streamVersion, e.type, e.data])).toEqual([
      [1, 'Incremented', { by: 1 }],
      [2, 'Incremented', { by: 10 }],
      [3, 'Incremented', { by: 100 }],
      [4, 'LimitReached', { limit: 100 }],
    ]);
  });

  it('keeps every version unique when many writers race without coordination', async () => {
    const writers = Array.from({ length: 12 }, () =>
      handleCommand(store.db, tally, 'tally-2', { type: 'Increment', by: 1, limit: 1000 }, { source, maxAttempts: 50 }),
    );
    await Promise.all(writers);
    const stream = await readStream(store.db.manager, 'tally-2');
    expect(stream.events.map((e) => e.streamVersion)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('gives up with a typed error after the allowed attempts', async () => {
    await handleCommand(store.db, tally, 'tally-3', increment(1), { source });
    const holderAppended = gate();
    const holderMayCommit = gate();
    const holder = handleCommand(store.db, tally, 'tally-3', increment(1), {
      source,
      inTransaction: async () => {
        holderAppended.open();
        await holderMayCommit.opened;
      },
    });
    await holderAppended.opened;
    const impatient = handleCommand(store.db, tally, 'tally-3', increment(1), { source, maxAttempts: 1 });
    await someoneWaitsForALock(store.db);
    holderMayCommit.open();

    await expect(impatient).rejects.toBeInstanceOf(TooManyConflicts);
    await expect(impatient).rejects.toMatchObject({ code: 'STREAM_TOO_MANY_CONFLICTS', attempts: 1 });
    await holder;
    expect((await readStream(store.db.manager, 'tally-3')).currentVersion).toBe(2);
  });

  it('appends nothing when the decider decides nothing', async () => {
    await handleCommand(store.db, tally, 'tally-4', increment(100), { source });
    const outcome = await handleCommand(store.db, tally, 'tally-4', increment(1), { source });
    expect(outcome.appended).toBeNull();
    expect((await readStream(store.db.manager, 'tally-4')).currentVersion).toBe(2);
  });
});
