import { ConfigError, loadConfig } from '@homeline/platform';
import { callLimitsOf, routingConfigSchema } from './config';

const base = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/routing',
  INTEGRATION_TOKEN: 'integration-token-0123456789',
  CARRIER_WEBHOOK_SECRET: 'carrier-secret-0123456789',
  CARRIER_API_URL: 'https://api.carrier.example/call-control',
  CARRIER_API_SECRET: 'carrier-api-secret-0123456789',
};

/** The problems a configuration is refused for: of an environment, or of a load that may throw. */
const problemsOf = (environment: Record<string, string> | (() => unknown)): readonly string[] => {
  try {
    if (typeof environment === 'function') environment();
    else loadConfig(routingConfigSchema, environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
  }
  return [];
};

describe('the routing configuration', () => {
  it('rings every call for an hour after an emergency call unless told otherwise, and refuses a window that is no number of minutes', () => {
    expect(loadConfig(routingConfigSchema, base).EMERGENCY_CALLBACK_WINDOW_MINUTES).toBe(60);
    expect(loadConfig(routingConfigSchema, { ...base, EMERGENCY_CALLBACK_WINDOW_MINUTES: '90' }).EMERGENCY_CALLBACK_WINDOW_MINUTES).toBe(90);
    expect(problemsOf(() => loadConfig(routingConfigSchema, { ...base, EMERGENCY_CALLBACK_WINDOW_MINUTES: 'an hour' }))).toEqual([
      expect.stringMatching(/^EMERGENCY_CALLBACK_WINDOW_MINUTES: expected a number of minutes/),
    ]);
    expect(problemsOf(() => loadConfig(routingConfigSchema, { ...base, EMERGENCY_CALLBACK_WINDOW_MINUTES: '-5' }))).toEqual([
      expect.stringMatching(/^EMERGENCY_CALLBACK_WINDOW_MINUTES: expected 0 to 1440 minutes/),
    ]);
  });

  it('speaks to the carrier at CARRIER_API_URL with a 3 s timeout, 3 attempts and a breaker of 5 failures', () => {
    expect(loadConfig(routingConfigSchema, base)).toMatchObject({
      CARRIER_API_URL: 'https://api.carrier.example/call-control',
      CARRIER_API_TIMEOUT_MS: 3000,
      CARRIER_API_ATTEMPTS: 3,
      CARRIER_API_CONNECTIONS: 32,
      CARRIER_BREAKER_THRESHOLD: 5,
      CARRIER_BREAKER_HALF_OPEN_MS: 5000,
    });
  });

  it('accepts plain http only to this machine (the simulator)', () => {
    for (const url of ['http://127.0.0.1:3005', 'http://localhost:3005', 'http://[::1]:3005'])
      expect(problemsOf({ ...base, CARRIER_API_URL: url })).toEqual([]);
    expect(problemsOf({ ...base, CARRIER_API_URL: 'http://carrier.example' })).toEqual([
      'CARRIER_API_URL: expected an https URL (plain http only to 127.0.0.1, localhost or [::1])',
    ]);
    expect(problemsOf({ ...base, CARRIER_API_URL: 'ftp://carrier.example' })).toEqual([
      'CARRIER_API_URL: expected an http(s) URL',
    ]);
    expect(problemsOf({ ...base, CARRIER_API_URL: 'the carrier' })).toEqual([
      'CARRIER_API_URL: expected an http(s) URL',
    ]);
    expect(problemsOf({ ...base, CARRIER_API_URL: 'https://carrier.example/?token=1' })).toEqual([
      'CARRIER_API_URL: expected a base URL without query or fragment',
    ]);
  });

  it('names each missing or bad carrier variable, without echoing a secret', () => {
    const { CARRIER_API_URL: _url, ...withoutUrl } = base;
    const problems = problemsOf({
      ...withoutUrl,
      CARRIER_API_SECRET: 'hunter2',
      CARRIER_API_ATTEMPTS: '9',
      CARRIER_API_TIMEOUT_MS: 'soon',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'CARRIER_API_URL: is required',
        'CARRIER_API_SECRET: expected at least 16 characters',
        'CARRIER_API_ATTEMPTS: expected 1 to 5',
        'CARRIER_API_TIMEOUT_MS: expected a whole number',
      ]),
    );
    expect(problems.join()).not.toContain('hunter2');
  });

  it('refuses attempts and a timeout that together could outlast the dispatcher’s 30 s claim on a request', () => {
    expect(problemsOf({ ...base, CARRIER_API_ATTEMPTS: '5', CARRIER_API_TIMEOUT_MS: '5000' })).toEqual([
      expect.stringMatching(/^CARRIER_API_TIMEOUT_MS: with CARRIER_API_ATTEMPTS, one request could outlast its claim/),
    ]);
    expect(problemsOf({ ...base, CARRIER_API_ATTEMPTS: '5', CARRIER_API_TIMEOUT_MS: '4000' })).toEqual([]);
  });

  it('limits outbound calls by default: 10 a minute a device, 20 an account, 20 international and 5 premium a day, 4 at once', () => {
    expect(callLimitsOf(loadConfig(routingConfigSchema, base))).toEqual({
      devicePerMinute: 10,
      accountPerMinute: 20,
      dailyInternational: 20,
      dailyPremium: 5,
      concurrentPerLine: 4,
    });
    const tuned = loadConfig(routingConfigSchema, { ...base, RATE_LIMIT_DEVICE_PER_MINUTE: '3', DAILY_BUDGET_PREMIUM: '0' });
    expect(callLimitsOf(tuned)).toMatchObject({ devicePerMinute: 3, dailyPremium: 0 });
  });

  it('refuses a limit that is no whole number of calls, or none at all where calls must flow', () => {
    const problems = problemsOf(() =>
      loadConfig(routingConfigSchema, {
        ...base,
        RATE_LIMIT_DEVICE_PER_MINUTE: 'ten',
        RATE_LIMIT_ACCOUNT_PER_MINUTE: '0',
        DAILY_BUDGET_INTERNATIONAL: '2.5',
        DAILY_BUDGET_PREMIUM: '-1',
        MAX_CONCURRENT_CALLS_PER_LINE: '1e9',
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^RATE_LIMIT_DEVICE_PER_MINUTE: expected a number of calls/),
      expect.stringMatching(/^RATE_LIMIT_ACCOUNT_PER_MINUTE: expected 1 to 100000 calls/),
      expect.stringMatching(/^DAILY_BUDGET_INTERNATIONAL: expected a whole number of calls/),
      expect.stringMatching(/^DAILY_BUDGET_PREMIUM: expected 0 to 100000 calls/),
      expect.stringMatching(/^MAX_CONCURRENT_CALLS_PER_LINE: expected 1 to 100000 calls/),
    ]);
  });
});
