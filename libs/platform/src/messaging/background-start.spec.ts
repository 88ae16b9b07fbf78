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

  it('waits out a growing backoff before starting again a run that died soon after it started, and not after one that stayed up', async () => {
    jest.useFakeTimers();
    let starts = 0;
    let died!: (error: unknown) => void;
    const worker = new BackgroundStart('test-worker', async (onDeath) => {
      starts++;
      died = onDeath;
    }, async () => undefined);
    worker.begin();
    await jest.advanceTimersByTimeAsync(0);
    expect(starts).toBe(1);

    // Dies 5 ms after its start (an ACL refusing its topic): without a backoff it rejoined its group ~200 times a second.
    await jest.advanceTimersByTimeAsync(5);
    died(new Error('TOPIC_AUTHORIZATION_FAILED'));
    await jest.advanceTimersByTimeAsync(999);
    expect(starts).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(starts).toBe(2); // after 1 s
    died(new Error('TOPIC_AUTHORIZATION_FAILED'));
    await jest.advanceTimersByTimeAsync(1_999);
    expect(starts).toBe(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(starts).toBe(3); // the second quick death in a row waited 2 s

    // A run that stayed up starts again at once when it dies.
    await jest.advanceTimersByTimeAsync(61_000);
    died(new Error('broker gone'));
    await jest.advanceTimersByTimeAsync(0);
    expect(starts).toBe(4);
    await worker.end();
  });
});
