import { z } from 'zod';
import { otelEnvShape, otlpTarget } from './otel-env';

const schema = z.object(otelEnvShape);
const problemsOf = (env: Record<string, string>) => {
  const result = schema.safeParse(env);
  return result.success ? [] : result.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
};

describe('the OpenTelemetry variables', () => {
  it('export nothing by default', () => {
    expect(schema.parse({})).toEqual({ OTEL_TRACES_EXPORTER: 'none' });
  });

  it('send spans to a collector on localhost:4318 over http/protobuf unless told otherwise', () => {
    expect(otlpTarget(schema.parse({ OTEL_TRACES_EXPORTER: 'otlp' }))).toEqual({ url: 'http://localhost:4318/v1/traces', protocol: 'http/protobuf' });
  });

  it('append /v1/traces to the base endpoint, and take the traces endpoint as it is', () => {
    expect(otlpTarget(schema.parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.monitoring:4318/' })).url).toBe(
      'http://otel-collector.monitoring:4318/v1/traces',
    );
    expect(
      otlpTarget(schema.parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/ingest/traces' })).url,
    ).toBe('https://b/ingest/traces');
  });

  it('prefer the traces protocol to the general one', () => {
    const env = schema.parse({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' });
    expect(otlpTarget(env).protocol).toBe('http/json');
  });

  it('name what is wrong: an unknown exporter, grpc, an endpoint that is not an http URL', () => {
    expect(problemsOf({ OTEL_TRACES_EXPORTER: 'jaeger', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toEqual([
      'OTEL_TRACES_EXPORTER: expected one of none, console, otlp',
      'OTEL_EXPORTER_OTLP_ENDPOINT: expected an http:// or https:// URL of the collector (its base; /v1/traces is appended)',
      'OTEL_EXPORTER_OTLP_PROTOCOL: expected http/protobuf or http/json (grpc is not supported: use http/protobuf on port 4318)',
    ]);
  });
});
