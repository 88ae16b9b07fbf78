import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import { eventually, fastConsumer, tempDir } from './support';

const ROOT = path.resolve(__dirname, '../../..');

/** Runs the broker CLI as a child process, as `npm run broker` would, and waits for its address. */
async function startBrokerProcess(dataDir: string): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'tools/register.js'), path.join(ROOT, 'libs/kafka-embedded/src/cli.ts'), '--port', '0', '--data-dir', dataDir, '--fsync', 'always', '--initial-rebalance-delay-ms', '0'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const address = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /listening on (\S+)/.exec(line);
      if (match) resolve(match[1]);
    });
  });
  return { child, address };
}

const exited = (child: ChildProcess) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));

describe('a broker killed without warning', () => {
  const dataDir = tempDir();
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(children.map(exited));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves every acknowledged record, in order, after a restart on the same directory', async () => {
    const first = await startBrokerProcess(dataDir);
    children.push(first.child);
    const kafka1 = new Kafka({ clientId: 'restart', brokers: [first.address], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin1 = kafka1.admin();
    await admin1.connect();
    await admin1.createTopics({ topics: [{ topic: 'ledger', numPartitions: 2 }] });
    await admin1.setOffsets({ groupId: 'auditors', topic: 'ledger', partitions: [{ partition: 0, offset: '3' }] });
    await admin1.disconnect();

    const producer = kafka1.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const acked: string[][] = [[], []];
    let killed = false;
    const stream = (async () => {
      for (let i = 0; !killed; i++) {
        const partition = i % 2;
        const batch = [`r${i}-a`, `r${i}-b`];
        try {
          await producer.send({ topic: 'ledger', acks: -1, messages: batch.map((value) => ({ value, partition })) });
          acked[partition].push(...batch);
        } catch {
          return; // the broker died with this batch in flight: it may or may not have been written
        }
      }
    })();
    await eventually(() => acked[0].length + acked[1].length >= 200);
    first.child.kill('SIGKILL');
    killed = true;
    await exited(first.child);
    await stream;
    await producer.disconnect().catch(() => undefined);

    const second = await startBrokerProcess(dataDir);
    children.push(second.child);
    const kafka2 = new Kafka({ clientId: 'restart', brokers: [second.address], logLevel: logLevel.NOTHING });
    const admin2 = kafka2.admin();
    await admin2.connect();
    expect(await admin2.fetchOffsets({ groupId: 'auditors', topics: ['ledger'] })).toEqual([
      { topic: 'ledger', partitions: expect.arrayContaining([{ partition: 0, offset: '3', metadata: null }]) },
    ]);
    await admin2.disconnect();

    const read: string[][] = [[], []];
    const consumer = kafka2.consumer({ groupId: 'after-restart', ...fastConsumer });
    await consumer.connect();
    await consumer.subscribe({ topic: 'ledger', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ partition, message }) => void read[partition].push(String(message.value)) });
    await eventually(() => read[0].length >= acked[0].length && read[1].length >= acked[1].length);
    await consumer.disconnect();
    for (const p of [0, 1]) {
      // Every acknowledged record, in order; at most the one batch in flight at the kill may follow.
      expect(read[p].slice(0, acked[p].length)).toEqual(acked[p]);
      expect(read[p].length - acked[p].length).toBeLessThanOrEqual(2);
    }
  });
});
