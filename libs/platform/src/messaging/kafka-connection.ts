import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { PlatformConfig } from '../config/env';
import { ConfigError } from '../config/load-config';

/** Brokers, TLS and SASL (Strimzi's SCRAM users) for every Kafka client of the service. */
export function kafkaConnection(config: PlatformConfig): Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'> {
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = config;
  const sasl = mechanism && username && password ? ({ mechanism, username, password } as SASLOptions) : undefined;
  return { brokers: config.KAFKA_BROKERS, ssl: config.KAFKA_TLS, sasl };
}

/** SASL needs all three variables or none; checked at start with the other configuration. */
export function checkKafkaAuth(config: PlatformConfig): void {
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = config;
  if (!mechanism && !username && !password) return;
  const problems = [
    !mechanism && 'KAFKA_SASL_MECHANISM: is required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set',
    !username && 'KAFKA_SASL_USERNAME: is required when KAFKA_SASL_MECHANISM is set',
    !password && 'KAFKA_SASL_PASSWORD: is required when KAFKA_SASL_MECHANISM is set',
  ].filter((p): p is string => Boolean(p));
  if (problems.length > 0) throw new ConfigError(problems);
}
