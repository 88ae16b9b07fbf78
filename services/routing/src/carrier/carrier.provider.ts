import { Logger, type Provider } from '@nestjs/common';
import { SERVICE_CONFIG } from '@homeline/platform';
import { carrierWebhookUrl, type RoutingConfig } from '../config';
import { CARRIER_PORT } from './carrier.port';
import { CarrierSimulator } from './carrier-simulator';

/** The embedded default carrier; a real carrier's adapter would be provided under the same token. */
export const carrierProvider: Provider = {
  provide: CARRIER_PORT,
  inject: [SERVICE_CONFIG],
  useFactory: (config: RoutingConfig) => {
    const logger = new Logger('CarrierSimulator');
    return new CarrierSimulator({
      webhookUrl: carrierWebhookUrl(config),
      secret: config.CARRIER_WEBHOOK_SECRET,
      behaviours: config.CARRIER_SIM_BEHAVIOURS,
      defaultBehaviour: config.CARRIER_SIM_DEFAULT_BEHAVIOUR,
      stepMs: config.CARRIER_SIM_STEP_MS,
      onDeliveryError: (error, callback) =>
        logger.warn(`status ${callback.status} for leg ${callback.legId} undelivered: ${String(error)}`),
    });
  },
};
