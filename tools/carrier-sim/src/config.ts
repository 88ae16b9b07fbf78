import { z } from 'zod';
import { behaviours } from './behaviours';

// Not @homeline/platform's helpers: importing that library loads Nest, TypeORM and kafkajs, which a
// process of 200 lines has no use for; these three lines say the same as its env.port/secret/milliseconds.
const port = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a number' })
    .int()
    .min(0, 'expected a port between 0 and 65535')
    .max(65535, 'expected a port between 0 and 65535')
    .default(fallback);
const secret = () => z.string({ error: 'expected a secret' }).min(16, 'expected at least 16 characters');
const milliseconds = (fallback: number) =>
  z.coerce.number({ error: 'expected a number of milliseconds' }).int().min(0).default(fallback);

const behaviour = z.enum(behaviours, { error: `expected one of ${behaviours.join(', ')}` });

/** `{"+15550100001":"busy","911":"answer"}`: how the far end of each destination behaves. */
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
  .pipe(z.record(z.string(), behaviour));

/** The simulator's environment (docs/carrier-api.md, "The simulator"), validated once at start. */
export const simulatorConfigSchema = z.object({
  CARRIER_SIM_PORT: port(3005),
  CARRIER_SIM_HOST: z.string().min(1).default('127.0.0.1'),
  /** Homeline signs its call-control requests with it; the simulator refuses any other. */
  CARRIER_API_SECRET: secret(),
  /** The simulator signs its webhooks with it, as routing expects. */
  CARRIER_WEBHOOK_SECRET: secret(),
  /** routing's base URL: the webhooks go to its /v1/carrier/status and /v1/carrier/inbound. */
  CARRIER_SIM_WEBHOOK_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
    .default('http://127.0.0.1:3003'),
  CARRIER_SIM_DEFAULT_BEHAVIOUR: behaviour.default('answer'),
  CARRIER_SIM_BEHAVIOURS: behaviourMap,
  /** Delay before each simulated status (0 = at once, for the bench). */
  CARRIER_SIM_STEP_MS: milliseconds(50),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type SimulatorConfig = z.infer<typeof simulatorConfigSchema>;

/** The configuration, or an error naming every bad variable (and never echoing a secret). */
export const loadSimulatorConfig = (environment: NodeJS.ProcessEnv): SimulatorConfig => {
  const result = simulatorConfigSchema.safeParse(environment);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const known = issue.path.length > 0 && environment[String(issue.path[0])] !== undefined;
    return `${issue.path.join('.')}: ${known ? issue.message : 'is required'}`;
  });
  throw new Error(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
};
