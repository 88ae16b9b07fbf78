import { startBroker, type Denial } from '@homeline/kafka-embedded';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awaitCoordinators, createTopics, emptyCluster } from './kafka-admin';
import { devTopics } from './kafka-manifests';
import { applyAcls, brokerSecurity, generateKafkaPasswords, KAFKA_ADMIN_USER, type KafkaPasswords } from './kafka-security';

/** A Kafka cluster for tests: the embedded broker, or the brokers in KAFKA_BROKERS when set. */
export interface TestKafka {
  /** where clients connect: the SASL listener when `security` was asked for */
  readonly brokers: readonly string[];
  readonly kind: 'embedded' | 'external';
  /** A kafkajs client with every right (the admin when SASL is on), quiet unless something goes wrong. */
  client(clientId?: string): Kafka;
  /** With `security`: a client authenticated as `user` (with its password, or the one given). */
  clientAs(user: string, password?: string): Kafka;
  /** With `security`: every Kafka user's password (deploy/k8s KafkaUsers and the admin). */
  readonly passwords: KafkaPasswords;
  /** Creates topics (3 partitions unless said) and waits for their leaders; existing ones are kept. */
  createTopics(topics: readonly string[], partitions?: number): Promise<void>;
  /** Requests the ACLs refused so far (embedded broker only; Apache Kafka logs them in its kafka.log). */
  denied(): readonly Denial[] | null;
  stop(): Promise<void>;
}

export interface StartTestKafkaOptions {
  readonly brokers?: string;
  /**
   * SASL/SCRAM-SHA-512 and the ACLs of deploy/k8s, as production has them. Embedded: the broker
   * enforces them. External: KAFKA_SASL_BROKERS names the SASL listener and KAFKA_SCRAM_USERS_FILE
   * the users ({"name": "password"}) the broker was formatted with; the ACLs are applied here.
   */
  readonly security?: boolean;
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const base = { logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50 } } satisfies Partial<KafkaConfig>;
const sasl = (username: string, password: string) => ({ sasl: { mechanism: 'scram-sha-512' as const, username, password } });

/**
 * The embedded broker (fresh, empty), or KAFKA_BROKERS emptied of every topic and group, as a
 * fresh broker would be. Either way Homeline's topics (deploy/k8s) then exist with 3
 * partitions, as `npm start` and CI create them: the services never rely on auto-creation.
 */
export async function startTestKafka(options: StartTestKafkaOptions = {}): Promise<TestKafka> {
  const external = options.brokers ?? process.env.KAFKA_BROKERS;
  return external ? externalKafka(external.split(',').map((b) => b.trim()), options.security ?? false) : embeddedKafka(options.security ?? false);
}

async function embeddedKafka(secure: boolean): Promise<TestKafka> {
  const dataDir = await mkdtemp(join(tmpdir(), 'homeline-kafka-'));
  const passwords = secure ? generateKafkaPasswords() : {};
  const broker = await startBroker({ dataDir, port: 0, initialRebalanceDelayMs: 0, logger: quiet, security: secure ? brokerSecurity(passwords) : undefined });
  const brokers = [broker.address];
  const as = (user: string, password = passwords[user]) => (clientId = user) => new Kafka({ clientId, brokers, ...base, ...sasl(user, password) });
  const admin = secure ? as(KAFKA_ADMIN_USER) : (clientId = 'homeline-test') => new Kafka({ clientId, brokers, ...base });
  await createTopics(admin('homeline-test-topics'), devTopics());
  return {
    brokers,
    kind: 'embedded',
    client: admin,
    clientAs: (user, password) => as(user, password)(),
    passwords,
    createTopics: (topics, partitions) => createTopics(admin('homeline-test-topics'), topics, partitions),
    denied: () => broker.metrics().denied,
    stop: async () => {
      await broker.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function externalKafka(plaintext: string[], secure: boolean): Promise<TestKafka> {
  const admin = (clientId = 'homeline-test') => new Kafka({ clientId, brokers: plaintext, ...base });
  await emptyCluster(admin('homeline-test-reset'), plaintext);
  await awaitCoordinators(admin('homeline-test-warm-up'));
  await createTopics(admin('homeline-test-topics'), devTopics());
  let brokers = plaintext;
  let passwords: KafkaPasswords = {};
  if (secure) {
    const saslBrokers = process.env.KAFKA_SASL_BROKERS;
    const usersFile = process.env.KAFKA_SCRAM_USERS_FILE;
    if (!saslBrokers || !usersFile) {
      throw new Error('KAFKA_BROKERS is set: tests with SASL and ACLs also need KAFKA_SASL_BROKERS (its SASL_PLAINTEXT listener) and KAFKA_SCRAM_USERS_FILE (the users it was formatted with)');
    }
    brokers = saslBrokers.split(',').map((b) => b.trim());
    passwords = JSON.parse(readFileSync(usersFile, 'utf8')) as KafkaPasswords;
    await applyAcls(admin('homeline-test-acls'));
  }
  return {
    brokers,
    kind: 'external',
    client: admin,
    clientAs: (user, password = passwords[user]) => new Kafka({ clientId: user, brokers, ...base, ...sasl(user, password) }),
    passwords,
    createTopics: (topics, partitions) => createTopics(admin('homeline-test-topics'), topics, partitions),
    denied: () => null,
    stop: async () => undefined,
  };
}
