import type { Admin, Kafka } from 'kafkajs';
import { eventually } from './eventually';

/** Partitions of every topic in dev and CI (docs/architecture.md section 3). */
export const DEV_PARTITIONS = 3;

/**
 * Creates the topics that do not exist yet and waits until each partition's leader serves it: on
 * Kafka a topic made by auto-creation answers NOT_LEADER_OR_FOLLOWER for a moment, and a producer
 * that retries then writes twice, so nothing here relies on auto-creation. Metadata naming a
 * leader is not enough: on Apache Kafka 4.1.1, ListOffsets just after CreateTopics (waitForLeaders)
 * answered NOT_LEADER_OR_FOLLOWER for 6 of 90 topics in a probe (six topics deleted and made again,
 * 15 times), and failed a CI run's test that read a fresh topic's offsets.
 */
export async function createTopics(kafka: Kafka, topics: readonly string[], partitions = DEV_PARTITIONS): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((t) => !existing.has(t));
    if (missing.length > 0) await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
    for (const topic of missing) await eventually(() => admin.fetchTopicOffsets(topic), { timeoutMs: 30_000, intervalMs: 50 });
  } finally {
    await admin.disconnect();
  }
}

const loopback = (host: string) => /^127\.\d+\.\d+\.\d+$/.test(host) || host === 'localhost' || host === '::1' || host === '[::1]';

/**
 * Empties an external test broker, as each test file's embedded broker starts empty: every
 * topic but Kafka's internal ones, and every consumer group without live members. Tests own
 * the broker they are pointed at, so this refuses anything but a broker on this machine.
 */
export async function emptyCluster(kafka: Kafka, brokers: readonly string[]): Promise<void> {
  const remote = brokers.filter((b) => !loopback(b.slice(0, b.lastIndexOf(':'))));
  if (remote.length > 0) {
    throw new Error(`KAFKA_BROKERS=${brokers.join(',')}: the tests delete every topic and group of the broker they use, so they run only against one on this machine`);
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Groups first, with their committed offsets: the next test's consumers in the same group
    // must start at the beginning of the new topics, not at the last test's offsets. Kafka also
    // drops a deleted topic's offsets, but only as its broker applies the deletion. A group whose
    // members have not timed out yet cannot be deleted; its offsets go with the topics.
    const { groups } = await admin.listGroups();
    if (groups.length > 0) await admin.deleteGroups(groups.map((g) => g.groupId)).catch(() => undefined);
    const topics = (await admin.listTopics()).filter((t) => !t.startsWith('__'));
    if (topics.length > 0) {
      await admin.deleteTopics({ topics, timeout: 30_000 });
      await topicsGone(admin, topics);
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Apache Kafka answers DeleteTopics once its controller has recorded the deletion, before its
 * broker's metadata drops the topics: a Metadata request just after still lists them (measured
 * on 4.1.1, on a broker just started: every one of six). `createTopics` would skip them as
 * existing, and once the deletion took effect the test's clients would find them missing or
 * auto-create them (a consumer that joined meanwhile may never see some partitions).
 */
async function topicsGone(admin: Admin, topics: readonly string[]): Promise<void> {
  await eventually(async () => {
    const listed = new Set(await admin.listTopics());
    const left = topics.filter((t) => listed.has(t));
    if (left.length > 0) throw new Error(`Kafka still lists deleted topics: ${left.join(', ')}`);
  }, { timeoutMs: 30_000 });
}

/**
 * Waits until a fresh Kafka's group and transaction coordinators have loaded (its
 * __consumer_offsets and __transaction_state topics exist), as an embedded broker's are at
 * once. Until then Kafka answers FindCoordinator COORDINATOR_NOT_AVAILABLE and InitProducerId
 * COORDINATOR_LOAD_IN_PROGRESS; clients retry, but kafkajs logs each answer as an error.
 */
export async function awaitCoordinators(kafka: Kafka): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect(); // InitProducerId, retried until the transaction coordinator answers
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.describeGroups(['homeline-test-coordinator-probe']); // FindCoordinator, retried likewise
  } finally {
    await admin.disconnect();
  }
}
