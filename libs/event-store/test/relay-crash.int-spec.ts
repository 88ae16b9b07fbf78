import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { appendToStream, OutboxRelay, readRelayCheckpoint } from '../src';
import { countingConsumer, effects, effectsTable } from './support/effects';
import { eventually, startTestKafka, startTestPostgres, type TestKafka, type TestPostgres } from './support/infrastructure';
import { consumedBy, messagesIn } from './support/kafka-observer';
import { openStoreDatabase } from './support/store-database';

const root = join(__dirname, '..', '..', '..');

/** Runs the crashing relay in its own process; resolves with its output once it is dead. */
const runCrashingRelay = (url: string, brokers: string, topic: string, batchSize: number) =>
  new Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ['-r', join(root, 'tools', 'register.js'), join(__dirname, 'support', 'crashing-relay.ts'), url, brokers, topic, String(batchSize)],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (_code, signal) => resolve({ signal, stdout, stderr }));
  });

describe('a relay killed in the middle of a batch', () => {
  let pg: TestPostgres;
  let kafka: TestKafka;
  let db: DataSource;

  beforeAll(async () => {
    [pg, kafka] = await Promise.all([startTestPostgres(), startTestKafka()]);
    db = await openStoreDatabase(pg);
  });
  afterAll(async () => {
    await db?.destroy();
    await kafka?.stop();
    await pg?.stop();
  });

  it('loses nothing when restarted, and a consumer applies each event once though some arrive twice', async () => {
    const topic = 'relay.crash';
    const streams = Array.from({ length: 4 }, (_, i) => `call-${i}`);
    for (const stream of streams) {
      await appendToStream(db.manager, stream, [1, 2, 3].map((n) => ({ type: 'Noted', data: { n } })), { expectedVersion: 0, source: 'calls' });
    }
    const url = db.options.type === 'postgres' ? String(db.options.url) : '';

    const crashed = await runCrashingRelay(url, kafka.brokers.join(','), topic, 5);
    expect(crashed.signal).toBe('SIGKILL');
    expect(crashed.stdout).toContain('published 5');
    expect(await messagesIn(kafka.client(), topic)).toBe(5); // on Kafka, but the checkpoint never moved
    expect((await readRelayCheckpoint(db.manager, 'default'))?.position).toBe(0n);

    await effectsTable(db);
    const consumer = countingConsumer(kafka.client(), db, [topic], 'after-crash');
    const relay = new OutboxRelay({ dataSource: db, kafka: kafka.client(), topicFor: () => topic, batchSize: 5 });
    await consumer.start();
    await relay.start();
    try {
      // 12 events, 5 of them published twice: the consumer goes through all 17 messages...
      await eventually(async () => expect(await consumedBy(kafka.client(), 'after-crash', topic)).toBe(17));
      expect(await messagesIn(kafka.client(), topic)).toBe(17);
      // ...and every event has had its effect exactly once.
      const applied = await effects(db);
      expect(applied).toHaveLength(12);
      expect(applied.filter((e) => e.times !== 1)).toEqual([]);
    } finally {
      await relay.stop();
      await consumer.stop();
    }
  });
});
