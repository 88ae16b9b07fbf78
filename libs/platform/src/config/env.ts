import { z } from 'zod';
import { Topics } from '@homeline/contracts';
import { otelEnvShape } from '@homeline/telemetry';

/** The longest delay a Node timer keeps (2^31 - 1 ms); a longer one fires after 1 ms. */
const maxTimerMs = 2_147_483_647;

/** Building blocks for a service's environment schema; messages name what was expected. */
export const env = {
  port: (fallback: number) =>
    z.coerce
      .number({ error: 'expected a number' })
      .int('expected a whole number')
      .min(1, 'expected a port between 1 and 65535')
      .max(65535, 'expected a port between 1 and 65535')
      .default(fallback),
  postgresUrl: () =>
    z.string({ error: 'expected a postgres:// URL' }).regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// URL'),
  /** A shared secret (bearer token, HMAC key): long enough that guessing is not an option. */
  secret: (minLength = 16) =>
    z.string({ error: 'expected a secret' }).min(minLength, `expected at least ${minLength} characters`),
  brokers: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((value) => value.split(',').map((b) => b.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port[,host:port...]')).min(1, 'expected at least one broker')),
  topic: (fallback: string) => z.string().regex(/^[a-zA-Z0-9._-]+$/, 'expected a Kafka topic name').default(fallback),
  // Past maxTimerMs, "30 days" would run a poll back to back.
  milliseconds: (fallback: number) =>
    z.coerce.number({ error: 'expected a number of milliseconds' }).int().min(0).max(maxTimerMs, `at most ${maxTimerMs} (about 24.8 days), the longest timer Node keeps`).default(fallback),
  seconds: (fallback: number) => z.coerce.number({ error: 'expected a number of seconds' }).int().min(0).default(fallback),
};

export const migrationModes = ['run', 'skip', 'only'] as const;
export type MigrationMode = (typeof migrationModes)[number];

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The variables every service reads; a service extends this with its own. */
export const platformEnv = (defaults: { httpPort: number }) =>
  z.object({
    HTTP_PORT: env.port(defaults.httpPort),
    DATABASE_URL: env.postgresUrl(),
    KAFKA_BROKERS: env.brokers('127.0.0.1:9092'),
    KAFKA_TLS: z.enum(['true', 'false'], { error: 'expected true or false' }).default('false').transform((v) => v === 'true'),
    KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512', 'scram-sha-256', 'plain'], { error: 'expected scram-sha-512, scram-sha-256 or plain' }).optional(),
    KAFKA_SASL_USERNAME: z.string().min(1).optional(),
    KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(logLevels, { error: `expected one of ${logLevels.join(', ')}` }).default('info'),
    INTEGRATION_TOKEN: env.secret(),
    ...otelEnvShape,
    /**
     * run: apply pending migrations at start (development, and a single replica); skip: start on
     * the schema as it is (Kubernetes, where the init container applied them); only: apply them and
     * exit (the init container).
     */
    MIGRATIONS: z.enum(migrationModes, { error: `expected one of ${migrationModes.join(', ')}` }).default('run'),
    TOPIC_IDENTITY: env.topic(Topics.identity),
    TOPIC_CALLS: env.topic(Topics.calls),
    TOPIC_ROUTING: env.topic(Topics.routing),
    TOPIC_AUDIT: env.topic(Topics.audit),
  });

export type PlatformConfig = z.infer<ReturnType<typeof platformEnv>>;
