import { loadSimulatorConfig } from './config';

const secrets = {
  CARRIER_API_SECRET: 'homeline-to-carrier-secret',
  CARRIER_WEBHOOK_SECRET: 'carrier-to-homeline-secret',
};

describe('the simulator configuration', () => {
  it('listens on 127.0.0.1:3005, answers every leg and posts to routing on 3003 by default', () => {
    expect(loadSimulatorConfig(secrets)).toMatchObject({
      CARRIER_SIM_PORT: 3005,
      CARRIER_SIM_HOST: '127.0.0.1',
      CARRIER_SIM_WEBHOOK_BASE_URL: 'http://127.0.0.1:3003',
      CARRIER_SIM_DEFAULT_BEHAVIOUR: 'answer',
      CARRIER_SIM_BEHAVIOURS: {},
      CARRIER_SIM_STEP_MS: 50,
    });
  });

  it('reads behaviours per number from JSON', () => {
    const config = loadSimulatorConfig({
      ...secrets,
      CARRIER_SIM_BEHAVIOURS: '{"+15550100486":"busy","911":"answer"}',
    });
    expect(config.CARRIER_SIM_BEHAVIOURS).toEqual({ '+15550100486': 'busy', '911': 'answer' });
  });

  it('names every bad variable at once, without echoing a secret', () => {
    const load = () =>
      loadSimulatorConfig({
        CARRIER_WEBHOOK_SECRET: 'short-secret',
        CARRIER_SIM_BEHAVIOURS: '{busy}',
        CARRIER_SIM_DEFAULT_BEHAVIOUR: 'hang',
        CARRIER_SIM_WEBHOOK_BASE_URL: 'ftp://routing',
      });
    expect(load).toThrow(/CARRIER_API_SECRET: is required/);
    expect(load).toThrow(/CARRIER_WEBHOOK_SECRET: expected at least 16 characters/);
    expect(load).toThrow(/CARRIER_SIM_BEHAVIOURS: expected a JSON object/);
    expect(load).toThrow(/CARRIER_SIM_DEFAULT_BEHAVIOUR: expected one of answer, busy/);
    expect(load).toThrow(/CARRIER_SIM_WEBHOOK_BASE_URL: expected an http\(s\) URL/);
    expect(load).not.toThrow(/short-secret/);
  });
});
