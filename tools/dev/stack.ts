import { join } from 'node:path';
import type { DevCredentials, ServerSecrets } from './credentials';

/** The four services, their dev ports and what each needs beyond the common variables. */
export const SERVICES = [
  { name: 'calls', port: 3001 },
  { name: 'identity', port: 3002 },
  { name: 'routing', port: 3003 },
  { name: 'audit', port: 3004 },
] as const;

export type ServiceName = (typeof SERVICES)[number]['name'];

export interface StackPaths {
  readonly root: string;
  readonly data: string;
  readonly postgres: string;
  readonly serverSecrets: string;
  readonly kafka: string;
  readonly credentials: string;
}

export const stackPaths = (root: string, data = join(root, '.data')): StackPaths => ({
  root,
  data,
  postgres: join(data, 'postgres'),
  serverSecrets: join(data, 'server-secrets.json'),
  kafka: join(data, 'kafka'),
  credentials: join(data, 'credentials.json'),
});

/** `HTTP_PORT_CALLS` etc. move a service off its dev port (tests run beside a developer's stack). */
export const httpPort = (env: NodeJS.ProcessEnv, service: { name: ServiceName; port: number }): number =>
  Number(env[`HTTP_PORT_${service.name.toUpperCase()}`] ?? service.port);

/** `DATABASE_URL_CALLS` etc.: a service pointed at a real server instead of the embedded one. */
export const databaseUrlOverride = (env: NodeJS.ProcessEnv, service: ServiceName): string | undefined =>
  env[`DATABASE_URL_${service.toUpperCase()}`];

export function serviceEnv(
  base: NodeJS.ProcessEnv,
  service: { name: ServiceName; port: number },
  wiring: { databaseUrl: string; kafkaBrokers: string; credentials: DevCredentials; secrets: ServerSecrets },
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    HTTP_PORT: String(service.port),
    DATABASE_URL: wiring.databaseUrl,
    KAFKA_BROKERS: wiring.kafkaBrokers,
    INTEGRATION_TOKEN: wiring.credentials.integrationToken,
  };
  if (service.name === 'identity') env.VOICEPRINT_KEY ??= wiring.secrets.voiceprintKey;
  if (service.name === 'audit') env.COMPLIANCE_TOKEN = wiring.credentials.complianceToken;
  if (service.name === 'routing') env.CARRIER_WEBHOOK_SECRET = wiring.credentials.carrierWebhookSecret;
  return env;
}
