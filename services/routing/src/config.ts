import { env, platformEnv, retentionEnv } from '@homeline/platform';
import { z } from 'zod';
import type { CallLimits } from './domain';

const loopback = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The carrier's call-control API. HTTPS, since the bodies carry the numbers a household calls and
 * its emergency address; plain HTTP only to this machine (the simulator of `npm start` and the tests).
 */
const carrierApiUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  // Each check below passes what is not a URL at all: z.url has said so already.
  .refine((text) => {
    const url = URL.parse(text);
    return url?.protocol !== 'http:' || loopback.has(url.hostname);
  }, 'expected an https URL (plain http only to 127.0.0.1, localhost or [::1])')
  .refine(
    (text) => !URL.parse(text)?.search && !URL.parse(text)?.hash,
    'expected a base URL without query or fragment',
  );

const count = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: 'expected a whole number' })
    .int('expected a whole number')
    .min(min, `expected ${min} to ${max}`)
    .max(max, `expected ${min} to ${max}`)
    .default(fallback);

/** A dispatcher's claim on a carrier request holds for 30 s (leg-dispatcher.ts); one request must end well within it. */
const requestBudgetMs = 25_000;
const maxRetryDelayMs = 1_000;

const maxCalls = 100_000;
/** A whole number of calls from `min` up to a bound no line needs, so a typo fails the start. */
const callCount = (min: number, fallback: number) =>
  z.coerce
    .number({ error: 'expected a number of calls' })
    .int('expected a whole number of calls')
    .min(min, `expected ${min} to ${maxCalls} calls`)
    .max(maxCalls, `expected ${min} to ${maxCalls} calls`)
    .default(fallback);

/** Everything the routing service reads from its environment, validated once at start. */
export const routingConfigSchema = platformEnv({ httpPort: 3003 })
  .extend({
    /** HMAC-SHA256 key the carrier signs its webhooks with. */
    CARRIER_WEBHOOK_SECRET: env.secret(),
    /** Base URL of the carrier's call-control API (docs/carrier-api.md). */
    CARRIER_API_URL: carrierApiUrl,
    /** HMAC-SHA256 key routing signs its requests to the carrier with; not the webhook secret. */
    CARRIER_API_SECRET: env.secret(),
    /** How long one attempt at a carrier request may take. */
    CARRIER_API_TIMEOUT_MS: count(1, 60_000, 3_000),
    /** Attempts of one request, under one idempotency key, before the dispatcher reschedules it. */
    CARRIER_API_ATTEMPTS: count(1, 5, 3),
    /** Kept-alive connections to the carrier. */
    CARRIER_API_CONNECTIONS: count(1, 512, 32),
    /** Consecutive failed attempts (no answer, timeout, 5xx) that open the circuit. */
    CARRIER_BREAKER_THRESHOLD: count(1, 1_000, 5),
    /** How long an open circuit holds the carrier's queue before one request probes it. */
    CARRIER_BREAKER_HALF_OPEN_MS: count(100, 600_000, 5_000),
    /**
     * Safety-net poll of the carrier request queue, for a lost notification: the dispatcher is
     * woken by NOTIFY when a request is queued and by its own clock when a retry falls due.
     */
    CARRIER_DISPATCH_POLL_MS: env.milliseconds(30_000),
    /**
     * After a household's emergency call, every inbound call rings for this long, Away Mode and quiet
     * hours notwithstanding: it may be the emergency services calling back (docs/architecture.md 6.1).
     */
    EMERGENCY_CALLBACK_WINDOW_MINUTES: z.coerce
      .number({ error: 'expected a number of minutes' })
      .int('expected a whole number of minutes')
      .min(0, 'expected 0 to 1440 minutes')
      .max(1440, 'expected 0 to 1440 minutes')
      .default(60),
    /** Outbound calls one device may place in any 60 s (emergency calls are never limited nor counted). */
    RATE_LIMIT_DEVICE_PER_MINUTE: callCount(1, 10),
    /** Outbound calls one account, all its devices together, may place in any 60 s. */
    RATE_LIMIT_ACCOUNT_PER_MINUTE: callCount(1, 20),
    /** International calls one account may place in any 24 h (0: none). */
    DAILY_BUDGET_INTERNATIONAL: callCount(0, 20),
    /** Premium-rate calls one account may place in any 24 h (0: none). */
    DAILY_BUDGET_PREMIUM: callCount(0, 5),
    /** Outbound calls the line carries at once: the account's carrier legs whose calls are not over. */
    MAX_CONCURRENT_CALLS_PER_LINE: callCount(1, 4),
    /**
     * How long a carrier callback is remembered for deduplication. A later copy of one forgotten
     * is still refused by its sequence (a leg applies only a higher one), so this bounds the table,
     * not the guarantee.
     */
    CARRIER_CALLBACK_RETENTION_HOURS: z.coerce.number({ error: 'expected a number of hours' }).int().min(1).default(192),
    /** How often inbox rows and carrier callbacks past their retention are forgotten. */
    EXPIRY_SWEEP_INTERVAL_MS: env.milliseconds(60_000),
    ...retentionEnv,
  })
  .refine(
    (c) =>
      c.CARRIER_API_ATTEMPTS * c.CARRIER_API_TIMEOUT_MS + (c.CARRIER_API_ATTEMPTS - 1) * maxRetryDelayMs <=
      requestBudgetMs,
    {
      path: ['CARRIER_API_TIMEOUT_MS'],
      message: `with CARRIER_API_ATTEMPTS, one request could outlast its claim: attempts × timeout + ${maxRetryDelayMs} ms per retry must stay within ${requestBudgetMs} ms`,
    },
  );

export type RoutingConfig = z.infer<typeof routingConfigSchema>;

/** The outbound limits the configuration sets (docs/architecture.md section 6.2). */
export const callLimitsOf = (config: RoutingConfig): CallLimits => ({
  devicePerMinute: config.RATE_LIMIT_DEVICE_PER_MINUTE,
  accountPerMinute: config.RATE_LIMIT_ACCOUNT_PER_MINUTE,
  dailyInternational: config.DAILY_BUDGET_INTERNATIONAL,
  dailyPremium: config.DAILY_BUDGET_PREMIUM,
  concurrentPerLine: config.MAX_CONCURRENT_CALLS_PER_LINE,
});

/** The longest pause between two attempts of one request (a carrier's Retry-After beyond it is left to the dispatcher). */
export const carrierRetryDelayCapMs = maxRetryDelayMs;
