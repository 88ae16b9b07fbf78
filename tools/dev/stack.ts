import { join } from 'node:path';
import { kafkaUserOf, saslEnv, type KafkaPasswords } from '@homeline/testing';
import type { DevCredentials, ServerSecrets } from './credentials';

/** The four services, their dev ports and what each needs beyond the common variables. */
export const SERVICES = [
  { name: 'calls', port: 3001 },
  { name: 'identity', port: 3002 },
  { name: 'routing', port: 3003 },
  { name: 'audit', port: 3004 },
] as const;

export type ServiceName = (typeof SERVICES)[number]['name'];

/** The carrier simulator (tools/carrier-sim), routing's carrier in the dev stack; `CARRIER_SIM_PORT` moves it. */
export const carrierSimPort = (env: NodeJS.ProcessEnv): number => Number(env.CARRIER_SIM_PORT ?? 3005);

export interface StackPaths {
  readonly root: string;
  readonly data: string;
  readonly postgres: string;
  readonly serverSecrets: string;
  readonly kafka: string;
  readonly credentials: string;
  /** The audit's verifier key, for `npm run audit:verify -- --key .data/audit.vkey`. */
  readonly auditVerifierKey: string;
  /** The embedded broker's SCRAM users and their passwords. */
  readonly kafkaUsers: string;
}

export const stackPaths = (root: string, data = join(root, '.data')): StackPaths => ({
  root,
  data,
  postgres: join(data, 'postgres'),
  serverSecrets: join(data, 'server-secrets.json'),
  kafka: join(data, 'kafka'),
  credentials: join(data, 'credentials.json'),
  auditVerifierKey: join(data, 'audit.vkey'),
  kafkaUsers: join(data, 'kafka-users.json'),
});

/** `HTTP_PORT_CALLS` etc. move a service off its dev port (tests run beside a developer's stack). */
export const httpPort = (env: NodeJS.ProcessEnv, service: { name: ServiceName; port: number }): number =>
  Number(env[`HTTP_PORT_${service.name.toUpperCase()}`] ?? service.port);

/** `DATABASE_URL_CALLS` etc.: a service pointed at a real server instead of the embedded one. */
export const databaseUrlOverride = (env: NodeJS.ProcessEnv, service: ServiceName): string | undefined =>
  env[`DATABASE_URL_${service.toUpperCase()}`];

export interface StackWiring {
  readonly databaseUrl: string;
  readonly kafkaBrokers: string;
  /** the embedded broker's users: each service authenticates as its own (unset for KAFKA_BROKERS) */
  readonly kafkaPasswords?: KafkaPasswords;
  readonly credentials: DevCredentials;
  readonly secrets: ServerSecrets;
  readonly carrierSimPort: number;
}

export function serviceEnv(base: NodeJS.ProcessEnv, service: { name: ServiceName; port: number }, wiring: StackWiring): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    HTTP_PORT: String(service.port),
    DATABASE_URL: wiring.databaseUrl,
    KAFKA_BROKERS: wiring.kafkaBrokers,
    INTEGRATION_TOKEN: wiring.credentials.integrationToken,
    ...(wiring.kafkaPasswords ? saslEnv(kafkaUserOf(service.name), wiring.kafkaPasswords) : {}),
  };
  if (service.name === 'identity') {
    env.VOICEPRINT_KEY ??= wiring.secrets.voiceprintKey;
    env.RECOVERY_TOKEN = wiring.credentials.recoveryToken;
  }
  if (service.name === 'audit') {
    env.COMPLIANCE_TOKEN = wiring.credentials.complianceToken;
    env.AUDIT_SIGNING_KEY ??= wiring.secrets.auditSigningKey;
    env.AUDIT_KEK ??= wiring.secrets.auditKek;
  }
  if (service.name === 'routing') {
    env.CARRIER_WEBHOOK_SECRET = wiring.credentials.carrierWebhookSecret;
    env.CARRIER_API_URL = `http://127.0.0.1:${wiring.carrierSimPort}`;
    env.CARRIER_API_SECRET = wiring.secrets.carrierApiSecret;
  }
  return env;
}

/** The simulator's environment: the two carrier secrets, its port, and routing's URL for the webhooks. */
export const carrierSimEnv = (
  base: NodeJS.ProcessEnv,
  wiring: Pick<StackWiring, 'credentials' | 'secrets' | 'carrierSimPort'> & { routingPort: number },
): NodeJS.ProcessEnv => ({
  ...base,
  CARRIER_SIM_PORT: String(wiring.carrierSimPort),
  CARRIER_API_SECRET: wiring.secrets.carrierApiSecret,
  CARRIER_WEBHOOK_SECRET: wiring.credentials.carrierWebhookSecret,
  CARRIER_SIM_WEBHOOK_BASE_URL: `http://127.0.0.1:${wiring.routingPort}`,
});
