import { env, platformEnv } from '@homeline/platform';
import { z } from 'zod';

const behaviourSchema = z.enum(['answer', 'busy', 'no_answer', 'fail', 'ring'], {
  error: 'expected one of answer, busy, no_answer, fail, ring',
});

/** `{"+15550100001":"busy","911":"answer"}`: how the carrier simulator treats each destination. */
const behaviourMap = z
  .string()
  .default('{}')
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON object of number -> behaviour' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), behaviourSchema));

/** Everything the routing service reads from its environment, validated once at start. */
export const routingConfigSchema = platformEnv({ httpPort: 3003 }).extend({
  /** HMAC-SHA256 key the carrier signs its webhooks with. */
  CARRIER_WEBHOOK_SECRET: env.secret(),
  /** Where the carrier posts status; defaults to this service's own /v1/carrier/status. */
  CARRIER_WEBHOOK_URL: z.url({ error: 'expected an http(s) URL' }).optional(),
  CARRIER_SIM_DEFAULT_BEHAVIOUR: behaviourSchema.default('answer'),
  CARRIER_SIM_BEHAVIOURS: behaviourMap,
  /** Delay before each simulated status step (0 = at once). */
  CARRIER_SIM_STEP_MS: env.milliseconds(50),
  /** Safety-net poll of the carrier request queue when no notification arrives. */
  CARRIER_DISPATCH_POLL_MS: env.milliseconds(1000),
});

export type RoutingConfig = z.infer<typeof routingConfigSchema>;

export const carrierWebhookUrl = (config: RoutingConfig): string =>
  config.CARRIER_WEBHOOK_URL ?? `http://127.0.0.1:${config.HTTP_PORT}/v1/carrier/status`;
