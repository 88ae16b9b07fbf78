import { startBroker, type EmbeddedBroker } from '@homeline/kafka-embedded';
import { brokerSecurity, createTopics, devTopics, KAFKA_ADMIN_USER, type KafkaPasswords } from '@homeline/testing';
import { Kafka, logLevel } from 'kafkajs';

/**
 * The project's own Kafka-protocol broker (libs/kafka-embedded), persisted under dataDir, as
 * production's Kafka is set up: SASL/SCRAM-SHA-512 with one user per service and exactly the
 * ACLs of its KafkaUser in deploy/k8s, and Homeline's topics created up front (3 partitions).
 */
export async function startEmbeddedBroker(dataDir: string, port: number, passwords: KafkaPasswords, print: (line: string) => void): Promise<EmbeddedBroker> {
  const log = (level: string) => (msg: string, details?: object) =>
    print(`${level.padEnd(5)} ${msg}${details ? ` ${JSON.stringify(details)}` : ''}`);
  const broker = await startBroker({
    dataDir,
    port,
    // Four services' consumer groups form in well under a second; Kafka's 3 s default only slows the start.
    initialRebalanceDelayMs: 100,
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    security: brokerSecurity(passwords),
  });
  const admin = new Kafka({
    clientId: 'homeline-start',
    brokers: [broker.address],
    logLevel: logLevel.NOTHING,
    sasl: { mechanism: 'scram-sha-512', username: KAFKA_ADMIN_USER, password: passwords[KAFKA_ADMIN_USER] },
  });
  try {
    await createTopics(admin, devTopics());
  } catch (error) {
    await broker.stop();
    throw error;
  }
  return broker;
}
