import pino from 'pino';
import { loadSimulatorConfig } from './config';
import { startCarrierSimulator } from './simulator';

// The simulator as its own process (npm start, the system tests): the one place it reads process.env.
async function main(): Promise<void> {
  const config = loadSimulatorConfig(process.env);
  // The services' log shape (libs/platform), so `npm start` prints its lines like theirs.
  const logger = pino({
    level: config.LOG_LEVEL,
    base: { service: 'carrier-sim' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
  const simulator = await startCarrierSimulator({
    port: config.CARRIER_SIM_PORT,
    host: config.CARRIER_SIM_HOST,
    apiSecret: config.CARRIER_API_SECRET,
    webhookSecret: config.CARRIER_WEBHOOK_SECRET,
    webhookBaseUrl: config.CARRIER_SIM_WEBHOOK_BASE_URL,
    behaviours: config.CARRIER_SIM_BEHAVIOURS,
    defaultBehaviour: config.CARRIER_SIM_DEFAULT_BEHAVIOUR,
    stepMs: config.CARRIER_SIM_STEP_MS,
    logger,
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void simulator.stop().then(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`carrier-sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
