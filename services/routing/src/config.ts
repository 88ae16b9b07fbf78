import { env, platformEnv } from '@homeline/platform';
import { z } from 'zod';

/** Everything the routing service reads from its environment, validated once at start. */
export const routingConfigSchema = platformEnv({ httpPort: 3003 }).extend({
    /** HMAC-SHA256 key the carrier signs its webhooks with. */
    CARRIER_WEBHOOK_SECRET: env.secret(),
});

export type RoutingConfig = z.infer<typeof routingConfigSchema>;
