import { Client } from 'pg';
import { DEV_PARTITIONS, devTopics, startTestKafka, startTestPostgres, type TestKafka } from '../src';

const query = async (url: string, sql: string) => {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
};

describe('the test PostgreSQL', () => {
  it('hands out a fresh, separate database per call', async () => {
    const pg = await startTestPostgres();
    try {
      const [a, b] = [await pg.createDatabase(), await pg.createDatabase()];
      expect(a).not.toBe(b);
      await query(a, `CREATE TABLE only_in_a (x int)`);
      expect(await query(b, `SELECT to_regclass('only_in_a') AS t`)).toEqual([{ t: null }]);
      expect(await query(pg.serverUrl, `SELECT current_setting('server_version_num')::int >= 130000 AS ok`)).toEqual([{ ok: true }]);
    } finally {
      await pg.stop();
    }
  });

  it('shares one server between callers, and drops only the caller’s databases when it stops', async () => {
    const [one, two] = await Promise.all([startTestPostgres(), startTestPostgres()]);
    try {
      expect(one.serverUrl).toBe(two.serverUrl);
      const gone = await one.createDatabase('dropped_on_stop');
      await one.stop();
      expect(await query(await two.createDatabase('still_up'), `SELECT 1 AS up`)).toEqual([{ up: 1 }]);
      expect(await query(two.serverUrl, `SELECT count(*)::int AS n FROM pg_database WHERE datname = 'dropped_on_stop'`)).toEqual([{ n: 0 }]);
      expect(gone).toMatch(/dropped_on_stop$/);
    } finally {
      await two.stop();
    }
  });
});

describe('the test Kafka', () => {
  it('carries a message from a producer to a consumer over the wire', async () => {
    const kafka = await startTestKafka();
    const producer = kafka.client().producer();
    const consumer = kafka.client().consumer({ groupId: 'wire-check', maxWaitTimeInMs: 200 });
    try {
      await producer.connect();
      await producer.send({ topic: 'wire.check', messages: [{ key: 'k', value: 'hello' }] });
      await consumer.connect();
      await consumer.subscribe({ topics: ['wire.check'], fromBeginning: true });
      const received = await new Promise<string>((resolve) => {
        void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
      });
      expect(received).toBe('hello');
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await kafka.stop();
    }
  });

  it('starts each test with every topic of deploy/k8s there again, empty, and a group of the last test reading them from the start', async () => {
    // On an external broker each start deletes the last test's topics and groups and makes the
    // topics again. Apache Kafka still lists a topic deleted a moment ago (it must not be taken as
    // made), and a group's committed offsets must not carry over: it would skip as many new messages.
    const topics = [...devTopics()];
    const topic = topics[0];
    const send = async (kafka: TestKafka, values: string[]) => {
      const producer = kafka.client().producer();
      await producer.connect();
      await producer.send({ topic, messages: values.map((value) => ({ partition: 0, value })) });
      await producer.disconnect();
    };
    const read = async (kafka: TestKafka, count: number) => {
      const consumer = kafka.client().consumer({ groupId: 'carried-over', maxWaitTimeInMs: 200 });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const seen: string[] = [];
      await new Promise<void>((resolve) => {
        void consumer.run({ eachMessage: async ({ message }) => void (seen.push(String(message.value)) === count && resolve()) });
      });
      await consumer.disconnect(); // its offsets committed
      return seen;
    };
    const first = await startTestKafka();
    await send(first, ['old 1', 'old 2', 'old 3']);
    expect(await read(first, 3)).toEqual(['old 1', 'old 2', 'old 3']);
    await first.stop();

    const second = await startTestKafka();
    const admin = second.client().admin();
    await admin.connect();
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      expect(found.map((t) => [t.name, t.partitions.length, t.partitions.every((p) => p.leader >= 0)]).sort())
        .toEqual(topics.map((t) => [t, DEV_PARTITIONS, true]).sort());
      expect((await admin.fetchTopicOffsets(topic)).map((o) => o.high)).toEqual(Array(DEV_PARTITIONS).fill('0'));
      await send(second, ['new 1', 'new 2', 'new 3', 'new 4']);
      expect(await read(second, 4)).toEqual(['new 1', 'new 2', 'new 3', 'new 4']);
    } finally {
      await admin.disconnect();
      await second.stop();
    }
  });
});
