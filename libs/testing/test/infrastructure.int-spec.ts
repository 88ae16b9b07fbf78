import { Client } from 'pg';
import { startTestKafka, startTestPostgres } from '../src';

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
});
