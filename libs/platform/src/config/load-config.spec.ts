import { z } from 'zod';
import { ConfigError, loadConfig } from './load-config';
import { env, platformEnv } from './env';
import { checkKafkaAuth, kafkaConnection } from '../messaging/kafka-connection';

const schema = platformEnv({ httpPort: 3001 }).extend({ CARRIER_WEBHOOK_SECRET: env.secret() });
const valid = {
  DATABASE_URL: 'postgres://calls:secret@db:5432/calls',
  INTEGRATION_TOKEN: 'an-integration-token-long-enough',
  CARRIER_WEBHOOK_SECRET: 'a-carrier-secret-long-enough',
};

const problemsOf = (environment: Record<string, string | undefined>): readonly string[] => {
  try {
    loadConfig(schema, environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('loading a service configuration', () => {
  it('fills in the defaults and types the values', () => {
    const config = loadConfig(schema, { ...valid, KAFKA_BROKERS: 'k1:9092, k2:9092', HTTP_PORT: '8080' });
    expect(config).toMatchObject({
      HTTP_PORT: 8080,
      KAFKA_BROKERS: ['k1:9092', 'k2:9092'],
      LOG_LEVEL: 'info',
      OTEL_TRACES_EXPORTER: 'none',
      TOPIC_CALLS: 'homeline.calls.v1',
    });
  });

  it('uses the service default port when HTTP_PORT is unset', () => {
    expect(loadConfig(schema, valid).HTTP_PORT).toBe(3001);
  });

  it('refuses a delay longer than a Node timer keeps, which would fire at once and poll back to back', () => {
    const withPoll = platformEnv({ httpPort: 3001 }).extend({ POLL_MS: env.milliseconds(1_000) });
    const problems = (value: string) => {
      try {
        loadConfig(withPoll, { ...valid, POLL_MS: value });
        return [];
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
    };
    expect(problems('2592000000')).toEqual(['POLL_MS: at most 2147483647 (about 24.8 days), the longest timer Node keeps']);
    expect(problems('2147483647')).toEqual([]);
  });

  it('names a port that is not a number', () => {
    expect(problemsOf({ ...valid, HTTP_PORT: 'eighty' })).toEqual(['HTTP_PORT: expected a number']);
  });

  it('names every missing required variable at once', () => {
    expect(problemsOf({})).toEqual([
      'DATABASE_URL: is required',
      'INTEGRATION_TOKEN: is required',
      'CARRIER_WEBHOOK_SECRET: is required',
    ]);
  });

  it('refuses a database URL that is not PostgreSQL', () => {
    expect(problemsOf({ ...valid, DATABASE_URL: 'mysql://db/calls' })).toEqual(['DATABASE_URL: expected a postgres:// URL']);
  });

  it('refuses a short secret without echoing it', () => {
    const problems = problemsOf({ ...valid, INTEGRATION_TOKEN: 'hunter2' });
    expect(problems).toEqual(['INTEGRATION_TOKEN: expected at least 16 characters']);
    expect(problems.join()).not.toContain('hunter2');
  });

  it('refuses a broker list that is not host:port pairs', () => {
    expect(problemsOf({ ...valid, KAFKA_BROKERS: 'kafka' })).toEqual(['KAFKA_BROKERS: expected host:port[,host:port...]']);
  });

  it('refuses an unknown log level', () => {
    expect(problemsOf({ ...valid, LOG_LEVEL: 'loud' })[0]).toMatch(/^LOG_LEVEL: expected one of fatal, error/);
  });

  it('takes the standard OpenTelemetry variables and refuses what it cannot export to', () => {
    const config = loadConfig(schema, { ...valid, OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_SERVICE_NAME: 'calls-eu' });
    expect(config).toMatchObject({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_SERVICE_NAME: 'calls-eu' });
    expect(problemsOf({ ...valid, OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual([
      'OTEL_TRACES_EXPORTER: expected one of none, console, otlp',
      'OTEL_EXPORTER_OTLP_PROTOCOL: expected http/protobuf or http/json (grpc is not supported: use http/protobuf on port 4318)',
    ]);
  });

  it('runs migrations at start unless told to skip them or to do nothing else', () => {
    expect(loadConfig(schema, valid).MIGRATIONS).toBe('run');
    expect(loadConfig(schema, { ...valid, MIGRATIONS: 'skip' }).MIGRATIONS).toBe('skip');
    expect(loadConfig(schema, { ...valid, MIGRATIONS: 'only' }).MIGRATIONS).toBe('only');
    expect(problemsOf({ ...valid, MIGRATIONS: 'later' })).toEqual(['MIGRATIONS: expected one of run, skip, only']);
  });

  it('says in its message which variables are wrong', () => {
    expect(() => loadConfig(z.object({ HTTP_PORT: env.port(1) }), { HTTP_PORT: '0' })).toThrow(
      /invalid configuration:\n {2}- HTTP_PORT: expected a port between 1 and 65535/,
    );
  });
});

describe('Kafka authentication settings', () => {
  it('connects with TLS and SCRAM when all three SASL variables are set', () => {
    const config = loadConfig(schema, {
      ...valid, KAFKA_TLS: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'calls', KAFKA_SASL_PASSWORD: 'pw',
    });
    expect(kafkaConnection(config)).toEqual({
      brokers: ['127.0.0.1:9092'], ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'calls', password: 'pw' },
    });
  });

  it('names the missing half of a SASL setting', () => {
    const config = loadConfig(schema, { ...valid, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'calls' });
    expect(() => checkKafkaAuth(config)).toThrow(/KAFKA_SASL_PASSWORD: is required when KAFKA_SASL_MECHANISM is set/);
  });
});
