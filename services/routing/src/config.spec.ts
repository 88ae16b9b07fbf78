import { ConfigError, loadConfig } from '@homeline/platform';
import { carrierWebhookUrl, routingConfigSchema } from './config';

const base = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/routing',
  INTEGRATION_TOKEN: 'integration-token-0123456789',
  CARRIER_WEBHOOK_SECRET: 'carrier-secret-0123456789',
};

const problemsOf = (load: () => unknown): readonly string[] => {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
  }
  return [];
};

describe('the routing configuration', () => {
  it("defaults to a simulator that answers, posting to this service's own webhook", () => {
    const config = loadConfig(routingConfigSchema, base);
    expect(config.CARRIER_SIM_DEFAULT_BEHAVIOUR).toBe('answer');
    expect(config.CARRIER_SIM_BEHAVIOURS).toEqual({});
    expect(carrierWebhookUrl(config)).toBe('http://127.0.0.1:3003/v1/carrier/status');
  });

  it('reads per-number behaviours from JSON', () => {
    const config = loadConfig(routingConfigSchema, {
      ...base,
      CARRIER_SIM_BEHAVIOURS: '{"+15550100486":"busy","911":"answer"}',
    });
    expect(config.CARRIER_SIM_BEHAVIOURS).toEqual({ '+15550100486': 'busy', '911': 'answer' });
  });

  it('names each bad variable: a missing secret, a behaviour map that is not JSON, an unknown behaviour', () => {
    const { CARRIER_WEBHOOK_SECRET: _secret, ...withoutSecret } = base;
    const load = () =>
      loadConfig(routingConfigSchema, {
        ...withoutSecret,
        CARRIER_SIM_BEHAVIOURS: '{busy}',
        CARRIER_SIM_DEFAULT_BEHAVIOUR: 'hang',
      });
    expect(load).toThrow(ConfigError);
    const problems = problemsOf(load);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^CARRIER_WEBHOOK_SECRET: is required/),
        expect.stringMatching(/^CARRIER_SIM_BEHAVIOURS: expected a JSON object/),
        expect.stringMatching(/^CARRIER_SIM_DEFAULT_BEHAVIOUR: expected one of/),
      ]),
    );
  });
});
