import type { DataSource } from 'typeorm';
import { eventually, lockWaiters } from './support/infrastructure';
import { CommandHandler, readStream, StreamVersionConflict, type RetryPolicy } from '../src';
import { gate } from './support/gate';
import { useStoreDatabase } from './support/store-database';
import { tally, type TallyCommand } from './support/tally';

const handler = new CommandHandler({ decider: tally, source: 'calls' });
const increment = (by: number, limit = 100): TallyCommand => ({ type: 'Increment', by, limit });

/** Resolves once some backend waits for a lock (the loser's insert waiting on the winner's row). */
const someoneWaitsForALock = (db: DataSource) =>
  eventually(async () => {
    expect(await lockWaiters(db)).toBeGreaterThan(0);
  });

const counting = (policy: RetryPolicy = {}) => {
  const counter = { retries: 0 };
  return { counter, policy: { ...policy, onRetry: () => void counter.retries++ } };
};

describe('two writers racing on one stream', () => {
  const store = useStoreDatabase();

  it('lets one win; the other gets the conflict, reloads and succeeds; no version is written twice', async () => {
    await handler.execute(store.db, { streamId: 'tally-1', commands: [increment(1)] });
    const winnerAppended = gate();
    const winnerMayCommit = gate();

    // The winner appends version 2 and holds its transaction open...
    const winnerRetries = counting();
    const winner = handler.execute(store.db, { streamId: 'tally-1', commands: [increment(10)] }, async (_tx, outcome) => {
      winnerAppended.open();
      await winnerMayCommit.opened;
      return outcome;
    }, winnerRetries.policy);
    await winnerAppended.opened;
    // ...the loser read version 1 too and blocks inserting version 2 until the winner commits.
    const loserRetries = counting();
    const loser = handler.execute(store.db, { streamId: 'tally-1', commands: [increment(100)] }, undefined, loserRetries.policy);
    await someoneWaitsForALock(store.db);
    winnerMayCommit.open();

    const [, lost] = await Promise.all([winner, loser]);
    expect(winnerRetries.counter.retries).toBe(0);
    expect(loserRetries.counter.retries).toBe(1);
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
      handler.execute(store.db, { streamId: 'tally-2', commands: [increment(1, 1000)] }, undefined, { maxAttempts: 50 }),
    );
    await Promise.all(writers);
    const stream = await readStream(store.db.manager, 'tally-2');
    expect(stream.events.map((e) => e.streamVersion)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('gives up with the typed conflict after the allowed attempts', async () => {
    await handler.execute(store.db, { streamId: 'tally-3', commands: [increment(1)] });
    const holderAppended = gate();
    const holderMayCommit = gate();
    const holder = handler.execute(store.db, { streamId: 'tally-3', commands: [increment(1)] }, async () => {
      holderAppended.open();
      await holderMayCommit.opened;
    });
    await holderAppended.opened;
    const impatient = handler.execute(store.db, { streamId: 'tally-3', commands: [increment(1)] }, undefined, { maxAttempts: 1 });
    await someoneWaitsForALock(store.db);
    holderMayCommit.open();

    await expect(impatient).rejects.toBeInstanceOf(StreamVersionConflict);
    await expect(impatient).rejects.toMatchObject({ code: 'STREAM_VERSION_CONFLICT', streamId: 'tally-3' });
    await holder;
    expect((await readStream(store.db.manager, 'tally-3')).currentVersion).toBe(2);
  });

  it('appends nothing when the decider decides nothing', async () => {
    await handler.execute(store.db, { streamId: 'tally-4', commands: [increment(100)] });
    const outcome = await handler.execute(store.db, { streamId: 'tally-4', commands: [increment(1)] });
    expect(outcome.recorded).toEqual([]);
    expect((await readStream(store.db.manager, 'tally-4')).currentVersion).toBe(2);
  });

  it('serialises writers of one stream when asked to, so none has to retry', async () => {
    const serialised = new CommandHandler({ decider: tally, source: 'calls', serialize: true });
    const retries = counting({ maxAttempts: 1 });
    await Promise.all(
      Array.from({ length: 8 }, () => serialised.execute(store.db, { streamId: 'tally-5', commands: [increment(1, 1000)] }, undefined, retries.policy)),
    );
    expect(retries.counter.retries).toBe(0);
    expect((await readStream(store.db.manager, 'tally-5')).currentVersion).toBe(8);
  });

  it('handles many streams set-based in one transaction, several commands to one stream in order', async () => {
    const outcomes = await store.db.transaction((tx) =>
      handler.handleAll(tx, [
        { streamId: 'tally-6', commands: [increment(1)] },
        { streamId: 'tally-7', commands: [increment(5)] },
        { streamId: 'tally-6', commands: (state) => [increment(state.total + 98)] },
      ]),
    );
    expect(outcomes.map((o) => [o.streamId, o.state])).toEqual([
      ['tally-6', { total: 1, closed: false }],
      ['tally-7', { total: 5, closed: false }],
      ['tally-6', { total: 100, closed: true }],
    ]);
    expect(outcomes[2].recorded.map((e) => [e.streamVersion, e.type])).toEqual([[2, 'Incremented'], [3, 'LimitReached']]);
    expect((await readStream(store.db.manager, 'tally-6')).currentVersion).toBe(3);
  });
});
