import { z } from 'zod';

/**
 * The standard OpenTelemetry variables Homeline reads (the OpenTelemetry specification's
 * "SDK environment variables"), validated with the rest of a service's configuration.
 * Only the OTLP/HTTP protocols are offered: the gRPC exporter would add a second HTTP/2 stack
 * for no gain, since every collector and Jaeger accept OTLP over HTTP on port 4318.
 */
const exporters = ['none', 'console', 'otlp'] as const;
const protocols = ['http/protobuf', 'http/json'] as const;

const httpUrl = (what: string) =>
  z
    .url({ protocol: /^https?$/, error: `expected an http:// or https:// URL of ${what}` })
    .optional();

const protocol = z
  .enum(protocols, { error: `expected ${protocols.join(' or ')} (grpc is not supported: use http/protobuf on port 4318)` })
  .optional();

export const otelEnvShape = {
  OTEL_TRACES_EXPORTER: z.enum(exporters, { error: `expected one of ${exporters.join(', ')}` }).default('none'),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl('the collector (its base; /v1/traces is appended)'),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl('the collector\'s traces endpoint (used as it is)'),
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
  OTEL_SERVICE_NAME: z.string().regex(/^\S+$/, 'expected a service name without spaces').optional(),
};

export type TracesExporter = (typeof exporters)[number];
export type OtlpProtocol = (typeof protocols)[number];
export type OtelEnv = z.infer<z.ZodObject<typeof otelEnvShape>>;

export interface OtlpTarget {
  readonly url: string;
  readonly protocol: OtlpProtocol;
}

/**
 * Where spans go, as the specification resolves it: the signal-specific endpoint as it is,
 * else the base endpoint with `/v1/traces` appended, else a collector on localhost:4318;
 * the signal-specific protocol, else the general one, else http/protobuf.
 */
export function otlpTarget(env: OtelEnv): OtlpTarget {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${base ?? 'http://localhost:4318'}/v1/traces`;
  return { url, protocol: env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf' };
}
