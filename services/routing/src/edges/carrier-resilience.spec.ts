import { TaskCancelledError } from 'cockatiel';
import { CarrierRejected, CarrierUnavailable } from '../application/carrier.port';
import { CarrierAnswered, carrierPolicy, CircuitGate, classify } from './carrier-resilience';

const options = { timeoutMs: 200, attempts: 3, breakerThreshold: 3, halfOpenAfterMs: 100, maxRetryDelayMs: 50 };
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3005'), { code: 'ECONNREFUSED' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A carrier that fails with each of `failures` in turn, then answers. */
const carrier = (...failures: unknown[]) => {
  const calls: number[] = [];
  return {
    calls,
    answer: async () => {
      calls.push(calls.length + 1);
      const failure = failures.shift();
      if (failure) throw failure;
      return 'placed';
    },
  };
};

describe('asking the carrier: retries, timeout and circuit (carrier-resilience.ts)', () => {
  it('tries again after no answer, a 5xx, a 429 and a 408, up to the attempts allowed', async () => {
    for (const failure of [
      refused,
      new CarrierAnswered(503, undefined, undefined),
      new CarrierAnswered(429, undefined, 0),
      new CarrierAnswered(408, undefined, undefined),
    ]) {
      const { policy } = carrierPolicy(options);
      const far = carrier(failure, failure);
      await expect(policy.execute(far.answer)).resolves.toBe('placed');
      expect(far.calls).toHaveLength(3);
    }
  });

  it('does not try a 4xx again: the carrier said no', async () => {
    const { policy } = carrierPolicy(options);
    const far = carrier(new CarrierAnswered(400, 'invalid_body', undefined));
    await expect(policy.execute(far.answer)).rejects.toMatchObject({ status: 400 });
    expect(far.calls).toHaveLength(1);
  });

  it('stops after the attempts allowed, and leaves a Retry-After longer than its own pauses to the dispatcher', async () => {
    const { policy } = carrierPolicy({ ...options, breakerThreshold: 100 });
    const down = carrier(refused, refused, refused, refused);
    await expect(policy.execute(down.answer)).rejects.toBe(refused);
    expect(down.calls).toHaveLength(3);
    const pacing = carrier(new CarrierAnswered(429, undefined, 5_000));
    await expect(policy.execute(pacing.answer)).rejects.toMatchObject({ status: 429 });
    expect(pacing.calls).toHaveLength(1);
  });

  it('gives up an attempt at its timeout and tries again', async () => {
    const { policy } = carrierPolicy(options);
    let attempt = 0;
    const slowOnce = () => (++attempt === 1 ? sleep(1_000).then(() => 'late') : Promise.resolve('placed'));
    await expect(policy.execute(slowOnce)).resolves.toBe('placed');
    expect(attempt).toBe(2);
  });

  it('opens the circuit after consecutive failures, sends nothing while open, and closes after a good probe', async () => {
    const { policy, breaker } = carrierPolicy({ ...options, attempts: 1 });
    const gate = new CircuitGate(breaker, options.halfOpenAfterMs, 1_000);
    const far = carrier(refused, refused, refused);
    for (let i = 0; i < 3; i++) await expect(policy.execute(far.answer)).rejects.toBe(refused);
    expect(gate.admits()).toEqual({ requests: 0, retryInMs: expect.any(Number) });

    const error = await policy.execute(far.answer).catch((e: unknown) => e);
    expect(classify(error, 'carrier place', 200)).toEqual(
      new CarrierUnavailable("carrier place not sent: the carrier's circuit is open", true),
    );
    expect(far.calls).toHaveLength(3);

    await sleep(options.halfOpenAfterMs + 10);
    expect(gate.admits()).toEqual({ requests: 1, retryInMs: 0 }); // one probe
    expect(gate.admits().requests).toBe(0); // and only one
    await expect(policy.execute(far.answer)).resolves.toBe('placed');
    expect(gate.admits()).toEqual({ requests: Infinity, retryInMs: 0 });
  });

  it('does not open the circuit for a 429 or a 4xx: the carrier is up', async () => {
    const { policy, breaker } = carrierPolicy({ ...options, attempts: 1, breakerThreshold: 2 });
    const gate = new CircuitGate(breaker, options.halfOpenAfterMs, 1_000);
    for (const failure of [
      new CarrierAnswered(429, undefined, 0),
      new CarrierAnswered(404, 'unknown_call', undefined),
      new CarrierAnswered(429, undefined, 0),
    ])
      await expect(policy.execute(carrier(failure).answer)).rejects.toBe(failure);
    expect(gate.admits().requests).toBe(Infinity);
  });

  it('classifies what reaches the dispatcher: try later, or give up', () => {
    expect(classify(new CarrierAnswered(503, undefined, undefined), 'carrier place', 200)).toBeInstanceOf(
      CarrierUnavailable,
    );
    expect(classify(new CarrierAnswered(409, 'request_in_progress', undefined), 'carrier place', 200)).toBeInstanceOf(
      CarrierUnavailable,
    );
    expect(classify(refused, 'carrier place', 200)).toEqual(
      new CarrierUnavailable('carrier place: carrier unreachable (connect ECONNREFUSED 127.0.0.1:3005)'),
    );
    expect(classify(new CarrierAnswered(409, 'call_ended', undefined), 'carrier bridge', 200)).toEqual(
      new CarrierRejected('carrier bridge refused: carrier answered 409 call_ended', 409, 'call_ended'),
    );
    expect(classify(new TaskCancelledError(), 'carrier hang_up', 200)).toEqual(
      new CarrierUnavailable('carrier hang_up: no answer within 200 ms'),
    );
    const bug = new TypeError('cannot read properties of undefined');
    expect(classify(bug, 'carrier place', 200)).toBe(bug);
  });
});
