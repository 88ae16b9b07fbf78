import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { CallControlApi } from './api';
import type { CarrierBehaviour } from './behaviours';
import type { StatusReport } from './call';
import { SimulatedCarrier } from './calls';
import { SimControl } from './control';
import { Faults } from './faults';
import { simulatorServer } from './server';
import { WebhookSender } from './webhooks';

export interface CarrierSimulatorOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Homeline's requests must be signed with it. */
  readonly apiSecret: string;
  /** The webhooks are signed with it. */
  readonly webhookSecret: string;
  /** routing's base URL, e.g. http://127.0.0.1:3003. */
  readonly webhookBaseUrl: string;
  readonly behaviours?: Readonly<Record<string, CarrierBehaviour>>;
  readonly defaultBehaviour?: CarrierBehaviour;
  readonly stepMs?: number;
  readonly logger?: Logger;
}

export interface RunningCarrierSimulator {
  /** Base URL of the call-control API and the /sim endpoints: routing's CARRIER_API_URL. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** The simulator on an HTTP port of its own, in this process (integration tests) or as one (main.ts). */
export async function startCarrierSimulator(options: CarrierSimulatorOptions): Promise<RunningCarrierSimulator> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const now = () => new Date();
  const webhooks = new WebhookSender(options.webhookBaseUrl, options.webhookSecret, () =>
    Math.floor(Date.now() / 1000),
  );
  const report = async (status: StatusReport, traceparent?: string) => {
    try {
      const answer = await webhooks.post('/v1/carrier/status', status, traceparent ? { traceparent } : {});
      if (answer.status >= 300)
        logger.warn(
          { status, answer },
          `status ${status.status} of ${status.carrierCallId} refused with ${answer.status}`,
        );
      return answer;
    } catch (error) {
      logger.warn({ err: error }, `status ${status.status} of ${status.carrierCallId} undelivered`);
      return { error: String(error) };
    }
  };
  const carrier = new SimulatedCarrier({
    behaviours: options.behaviours ?? {},
    defaultBehaviour: options.defaultBehaviour ?? 'answer',
    stepMs: options.stepMs ?? 50,
    report,
    newId: randomUUID,
    now,
  });
  const faults = new Faults();
  const { server } = simulatorServer({
    api: new CallControlApi(carrier, options.apiSecret, now),
    control: new SimControl(carrier, webhooks, faults),
    faults,
    logger,
    now,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  logger.info(`carrier simulator listening on http://${host}:${port}, webhooks to ${options.webhookBaseUrl}`);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await carrier.stop();
      await webhooks.close();
    },
  };
}
