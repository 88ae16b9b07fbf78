import { GroupCommit } from './group-commit';

/** A flush that records its batches and finishes when the test says so. */
const recordingFlush = () => {
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  const flush = async (items: readonly string[]) => {
    batches.push([...items]);
    await new Promise<void>((open) => gates.push(open));
    return items.map((item) => item.toUpperCase());
  };
  const openNext = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()!();
  };
  return { batches, flush, openNext };
};

describe('group commit', () => {
  it('flushes what arrives in one turn together, and each submitter gets its own result', async () => {
    const { batches, flush, openNext } = recordingFlush();
    const group = new GroupCommit(flush);
    const results = Promise.all(['a', 'b', 'c'].map((item) => group.submit(item)));
    await openNext();
    expect(await results).toEqual(['A', 'B', 'C']);
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('gathers what arrives during a flush into the next one', async () => {
    const { batches, flush, openNext } = recordingFlush();
    const group = new GroupCommit(flush);
    const first = group.submit('a');
    await new Promise((r) => setImmediate(r)); // the first flush has begun
    expect(batches).toEqual([['a']]);
    const later = ['b', 'c', 'd'].map((item) => group.submit(item));
    await openNext();
    expect(await first).toBe('A');
    await openNext();
    expect(await Promise.all(later)).toEqual(['B', 'C', 'D']);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('never flushes more than its batch size at once', async () => {
    const { batches, flush, openNext } = recordingFlush();
    const group = new GroupCommit(flush, 2);
    const results = Promise.all(['a', 'b', 'c', 'd', 'e'].map((item) => group.submit(item)));
    for (let i = 0; i < 3; i++) await openNext();
    expect(await results).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('flushes a failed batch again item by item, so only the bad item fails', async () => {
    const flushed: string[][] = [];
    const group = new GroupCommit(async (items: readonly string[]) => {
      flushed.push([...items]);
      if (items.includes('bad')) throw new Error('bad item');
      return items.map((item) => item.length);
    });
    const outcomes = await Promise.allSettled(['ok', 'bad', 'fine'].map((item) => group.submit(item)));
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 2 },
      { status: 'rejected', reason: new Error('bad item') },
      { status: 'fulfilled', value: 4 },
    ]);
    expect(flushed).toEqual([['ok', 'bad', 'fine'], ['ok'], ['bad'], ['fine']]);
  });

  it('fails every item of a flush that answers the wrong number of results', async () => {
    const group = new GroupCommit(async (items: readonly string[]) => items.slice(1));
    await expect(group.submit('only')).rejects.toThrow('answered 0 results for 1 items');
  });

  it('starts again after going idle', async () => {
    const group = new GroupCommit(async (items: readonly number[]) => items.map((n) => n * 2));
    expect(await group.submit(1)).toBe(2);
    expect(await group.submit(2)).toBe(4);
  });
});
