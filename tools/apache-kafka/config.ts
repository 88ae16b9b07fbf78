import { randomBytes } from 'node:crypto';

export interface ApacheKafkaOptions {
  /** PLAINTEXT listener on 127.0.0.1 */
  readonly port: number;
  readonly dataDir: string;
  /** KRaft controller listener (not for clients) */
  readonly controllerPort: number;
  /** partitions of auto-created topics (Kafka's num.partitions); 3, as docs/architecture.md section 3 has in dev */
  readonly partitions: number;
  /** group.initial.rebalance.delay.ms; Kafka's default is 3000 */
  readonly initialRebalanceDelayMs: number;
  readonly autoCreateTopics: boolean;
  /** a SASL_PLAINTEXT (SCRAM-SHA-512) listener with ACLs enforced, as production has */
  readonly sasl?: { readonly port: number; readonly superUsers: readonly string[] };
}

/**
 * server.properties of a single KRaft node that is both broker and controller. With `sasl`,
 * the StandardAuthorizer denies whatever no ACL allows; the PLAINTEXT listener's anonymous
 * principal stays a super user, because it is the test harness's own door (creating topics,
 * reading any group), while the services use the SASL listener under their own users.
 */
export function serverProperties(o: ApacheKafkaOptions): string {
  const listeners = [`PLAINTEXT://127.0.0.1:${o.port}`, `CONTROLLER://127.0.0.1:${o.controllerPort}`];
  const advertised = [`PLAINTEXT://127.0.0.1:${o.port}`];
  const protocols = ['PLAINTEXT:PLAINTEXT', 'CONTROLLER:PLAINTEXT'];
  const security: string[] = [];
  if (o.sasl) {
    listeners.push(`SASL_PLAINTEXT://127.0.0.1:${o.sasl.port}`);
    advertised.push(`SASL_PLAINTEXT://127.0.0.1:${o.sasl.port}`);
    protocols.push('SASL_PLAINTEXT:SASL_PLAINTEXT');
    security.push(
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      `super.users=${['ANONYMOUS', ...o.sasl.superUsers].map((u) => `User:${u}`).join(';')}`,
      'allow.everyone.if.no.acl.found=false',
    );
  }
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${o.controllerPort}`,
    `listeners=${listeners.join(',')}`,
    `advertised.listeners=${advertised.join(',')}`,
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    `listener.security.protocol.map=${protocols.join(',')}`,
    `log.dirs=${o.dataDir}/logs`,
    `num.partitions=${o.partitions}`,
    `auto.create.topics.enable=${o.autoCreateTopics}`,
    `group.initial.rebalance.delay.ms=${o.initialRebalanceDelayMs}`,
    // One node: internal topics cannot have more replicas than that.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    ...security,
    '',
  ].join('\n');
}

/** Log4j 2 configuration: INFO to stdout, which the launcher files and scans for readiness. */
export const log4jConfig = `Configuration:
  status: warn
  Appenders:
    Console: { name: STDOUT, target: SYSTEM_OUT, PatternLayout: { pattern: "[%d] %p %m (%c)%n" } }
  Loggers:
    Root: { level: INFO, AppenderRef: [ { ref: STDOUT } ] }
    Logger:
      - { name: org.apache.kafka.common.config.AbstractConfig, level: WARN }
      - { name: kafka.server.KafkaConfig, level: WARN }
`;

/** A KRaft cluster id: 16 random bytes, base64url without padding (as `kafka-storage random-uuid` prints). */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id; // Kafka's own generator avoids a leading dash: it reads as an option
  }
}

/** `--add-scram` arguments of `kafka-storage format` for each user. */
export const scramArguments = (users: Readonly<Record<string, string>>): string[] =>
  Object.entries(users).flatMap(([name, password]) => {
    if (!/^[A-Za-z0-9._-]+$/.test(name) || !/^[A-Za-z0-9._~-]+$/.test(password)) {
      throw new Error(`SCRAM user ${name}: names and passwords may use letters, digits and . _ - ~ only (kafka-storage parses them)`);
    }
    return ['--add-scram', `SCRAM-SHA-512=[name=${name},password=${password}]`];
  });
