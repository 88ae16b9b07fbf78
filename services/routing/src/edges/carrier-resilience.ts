import {
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  handleWhen,
  isBrokenCircuitError,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type CircuitBreakerPolicy,
  type IRetryBackoffContext,
} from 'cockatiel';
import { CarrierRejected, CarrierUnavailable } from '../application/carrier.port';
import type { CarrierGate } from './leg-dispatcher';

/** A carrier's answer other than a success, as it came: status, problem code, Retry-After. */
export class CarrierAnswered extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`carrier answered ${status}${code ? ` ${code}` : ''}`);
  }

  /** Worth asking again (docs/carrier-api.md, "Status codes and retries"): busy, throttling, or failing on its side. */
  get transient(): boolean {
    const { status, code } = this;
    return status === 408 || status === 429 || status >= 500 || (status === 409 && code === 'request_in_progress');
  }
}

/** No answer at all: refused or reset connection, DNS, TLS, our timeout. A bug of ours (a bad argument) is not one. */
// instanceof, not cockatiel's isTaskCancelledError: in 3.2.1 that one tests for a bulkhead error's marker.
const timedOut = (error: unknown): boolean => error instanceof TaskCancelledError;

/** A system or undici error's code; read without instanceof, which another realm's Error fails (jest's vm). */
const errorCode = (error: unknown): string | undefined => {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
};

const noAnswer = (error: unknown): boolean => {
  if (timedOut(error)) return true;
  const code = errorCode(error);
  return code !== undefined && code !== 'UND_ERR_INVALID_ARG';
};

/** Connection errors that mean no byte of the request reached the carrier. */
const neverConnected = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Whether a failed try may have been carried out by the carrier: it may, after our timeout, a
 * connection lost mid-request or a 5xx; it was not, after a refused connection or a 429 / 408
 * (the carrier's "not now").
 */
export const mayHaveBeenCarriedOut = (error: unknown): boolean => {
  if (error instanceof CarrierAnswered) return error.status !== 429 && error.status !== 408;
  if (timedOut(error)) return true;
  return !neverConnected.has(errorCode(error) ?? '');
};

const transient = (error: unknown): boolean => (error instanceof CarrierAnswered ? error.transient : noAnswer(error));

export interface ResilienceOptions {
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly breakerThreshold: number;
  readonly halfOpenAfterMs: number;
  /** The longest pause between two attempts; a Retry-After beyond it is left to the dispatcher's own backoff. */
  readonly maxRetryDelayMs: number;
}

/**
 * Each attempt is bounded by a timeout and passes through one circuit breaker (but an emergency
 * placement's); transient failures
 * are retried with jittered exponential backoff (or the carrier's Retry-After), under the caller's
 * idempotency key. The breaker counts failed attempts that mean the carrier is down — no answer,
 * a timeout, a 5xx — not a 429, which means it is up and pacing us, nor a 4xx, which is our request.
 */
export const carrierPolicy = (options: ResilienceOptions) => {
  const backoff = new DelegateBackoff((context: IRetryBackoffContext<unknown>) => {
    const error = 'error' in context.result ? context.result.error : undefined;
    const exponential = 100 * 2 ** (context.attempt - 1) * (0.5 + Math.random() / 2);
    const asked = error instanceof CarrierAnswered ? (error.retryAfterMs ?? 0) : 0;
    return Math.min(options.maxRetryDelayMs, Math.max(exponential, asked));
  });
  const waitsTooLong = (error: unknown) =>
    error instanceof CarrierAnswered && (error.retryAfterMs ?? 0) > options.maxRetryDelayMs;
  const retries = retry(
    handleWhen((error) => transient(error) && !waitsTooLong(error)),
    {
      maxAttempts: options.attempts - 1,
      backoff,
    },
  );
  const breaker = circuitBreaker(
    handleWhen((error) => transient(error) && !(error instanceof CarrierAnswered && error.status === 429)),
    { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.breakerThreshold) },
  );
  const perAttempt = timeout(options.timeoutMs, TimeoutStrategy.Aggressive);
  // An emergency call's placement goes to the carrier whatever the circuit says, and its failures do
  // not open it: an outage the other requests wait out must not keep a 911 call from being tried.
  return { policy: wrap(retries, breaker, perAttempt), emergencyPolicy: wrap(retries, perAttempt), breaker };
};

/**
 * What the dispatcher is told when a request could not be carried out (application/carrier.port.ts).
 * `carriedOut`: whether any of the request's tries may have been (mayHaveBeenCarriedOut).
 */
export const classify = (error: unknown, what: string, timeoutMs: number, carriedOut = true): unknown => {
  if (error instanceof CarrierRejected || error instanceof CarrierUnavailable) return error;
  if (isBrokenCircuitError(error))
    return new CarrierUnavailable(`${what} not sent: the carrier's circuit is open`, true, !carriedOut);
  if (error instanceof CarrierAnswered)
    return error.transient
      ? new CarrierUnavailable(`${what}: ${error.message}`, false, !carriedOut, error.retryAfterMs)
      : new CarrierRejected(`${what} refused: ${error.message}`, error.status, error.code);
  if (timedOut(error)) return new CarrierUnavailable(`${what}: no answer within ${timeoutMs} ms`);
  if (noAnswer(error)) return new CarrierUnavailable(`${what}: carrier unreachable (${(error as Error).message})`, false, !carriedOut);
  return error;
};

/**
 * The circuit as the dispatcher sees it: while open, no request is claimed (so an outage burns no
 * request's attempts and costs the database nothing); when it may half-open, one request is let
 * through to probe, and the rest follow when it closes.
 */
export class CircuitGate implements CarrierGate {
  private openedAt = 0;
  private probeGrantedAt: number | undefined;
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly breaker: CircuitBreakerPolicy,
    private readonly halfOpenAfterMs: number,
    /** How long a probe may take at most; a grant not used by then (nothing was due) is given again. */
    private readonly probeBudgetMs: number,
  ) {
    breaker.onStateChange((state) => {
      // cockatiel times its circuit with Date.now(), so the gate does too.
      if (state === CircuitState.Open) this.openedAt = Date.now();
      this.probeGrantedAt = undefined;
      this.listeners.forEach((listener) => listener());
    });
  }

  admits(): { requests: number; retryInMs: number | null } {
    const now = Date.now();
    if (this.breaker.state === CircuitState.Closed) return { requests: Infinity, retryInMs: 0 };
    if (this.breaker.state === CircuitState.HalfOpen) return { requests: 0, retryInMs: null };
    const left = this.openedAt + this.halfOpenAfterMs - now;
    if (left > 0) return { requests: 0, retryInMs: left };
    if (this.probeGrantedAt !== undefined && now - this.probeGrantedAt < this.probeBudgetMs)
      return { requests: 0, retryInMs: this.probeGrantedAt + this.probeBudgetMs - now };
    this.probeGrantedAt = now;
    return { requests: 1, retryInMs: 0 };
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }
}
