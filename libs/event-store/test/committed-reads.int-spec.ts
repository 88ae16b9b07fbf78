import type { QueryRunner } from 'typeorm';
import { appendToStream, initialCheckpoint, readCommittedAfter } from '../src';
import { useStoreDatabase } from './support/store-database';

const source = 'routing' as const;
const event = (n: number) => ({ type: 'Noted', data: { n } });

describe('reading committed events in commit-safe order', () => {
  const store = useStoreDatabase();

  const begin = async (): Promise<QueryRunner> => {
    const runner = store.db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    return runner;
  };

  it('does not read past an event whose transaction took an earlier position and commits later', async () => {
    const late = await begin();
    const early = await begin();
    try {
      const a = await appendToStream(late.manager, 'stream-a', [event(1)], { expectedVersion: 0, source });
      const b = await appendToStream(early.manager, 'stream-b', [event(2)], { expectedVersion: 0, source });
      expect(b.lastPosition).toBeGreaterThan(a.lastPosition);
      await early.commitTransaction();

      // B is committed, but A (lower position) is still running: a reader must not move past A.
      const whileARuns = await readCommittedAfter(store.db.manager, initialCheckpoint, 100);
      expect(whileARuns.events).toEqual([]);
      expect(whileARuns.checkpoint).toEqual(initialCheckpoint);
      expect(whileARuns.heldBack).toBe(true); // B waits behind A: look again soon

      await late.commitTransaction();
      const afterA = await readCommittedAfter(store.db.manager, initialCheckpoint, 100);
      expect(afterA.events.map((e) => e.data.n)).toEqual([1, 2]);

      const more = await readCommittedAfter(store.db.manager, afterA.checkpoint, 100);
      expect(more.events).toEqual([]);
      expect(more.heldBack).toBe(false); // nothing more to wait for
    } finally {
      await late.release();
      await early.release();
    }
  });

  it('never returns an event of a rolled-back transaction, and pages in batches', async () => {
    const aborted = await begin();
    await appendToStream(aborted.manager, 'stream-c', [event(3)], { expectedVersion: 0, source });
    await aborted.rollbackTransaction();
    await aborted.release();
    await appendToStream(store.db.manager, 'stream-d', [event(4), event(5), event(6)], { expectedVersion: 0, source });

    const all = await readCommittedAfter(store.db.manager, initialCheckpoint, 100);
    expect(all.events.filter((e) => e.streamId === 'stream-c')).toEqual([]);
    expect(all.events.filter((e) => e.streamId === 'stream-d').map((e) => e.data.n)).toEqual([4, 5, 6]);

    let checkpoint = initialCheckpoint;
    const seen: unknown[] = [];
    for (;;) {
      const page = await readCommittedAfter(store.db.manager, checkpoint, 2);
      if (page.events.length === 0) break;
      seen.push(...page.events.map((e) => e.data.n));
      checkpoint = page.checkpoint;
    }
    expect(seen).toEqual(all.events.map((e) => e.data.n));
  });

  it('pages in numeric order across a digit boundary, so no checkpoint skips an event', async () => {
    // One transaction whose positions run across 99 -> 100: as text, '100' sorts before '99'.
    const events = Array.from({ length: 120 }, (_, n) => event(100 + n));
    await appendToStream(store.db.manager, 'stream-e', events, { expectedVersion: 0, source });
    const all = await readCommittedAfter(store.db.manager, initialCheckpoint, 1000);
    const positions = all.events.map((e) => e.position);
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));

    let checkpoint = initialCheckpoint;
    const paged: bigint[] = [];
    for (;;) {
      const page = await readCommittedAfter(store.db.manager, checkpoint, 7);
      if (page.events.length === 0) break;
      paged.push(...page.events.map((e) => e.position));
      checkpoint = page.checkpoint;
    }
    expect(paged).toEqual(positions);
  });
});
