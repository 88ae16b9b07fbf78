import { BackgroundStart } from './background-start';

describe('a worker started in the background', () => {
  afterEach(() => jest.useRealTimers());

  it('stops at once while it waits to try again, without sitting out its backoff (Kafka down at shutdown)', async () => {
    jest.useFakeTimers(); // no timer fires unless the test advances the clock: only the stop can end the wait
    let attempts = 0;
    let failed!: () => void;
    const firstFailure = new Promise<void>((resolve) => (failed = resolve));
    const worker = new BackgroundStart('test-worker', async () => {
      attempts++;
      failed();
      throw new Error('broker unreachable');
    }, async () => undefined);
    worker.begin();
    await firstFailure;
    await worker.end();
    expect(attempts).toBe(1);
  });

  it('tries again after its backoff until the start succeeds, and stops what it started', async () => {
    jest.useFakeTimers();
    let attempts = 0;
    let stopped = 0;
    const worker = new BackgroundStart('test-worker', async () => {
      if (++attempts < 3) throw new Error('not yet');
    }, async () => void stopped++);
    worker.begin();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(attempts).toBe(3);
    const stopsOfFailedStarts = stopped; // each failed start is cleaned up with stop()
    await worker.end();
    expect(stopped).toBe(stopsOfFailedStarts + 1);
  });
});
