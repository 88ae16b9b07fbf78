import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { startBroker } from '../src';
import { eventually, fastConsumer, kafkaFor, kafkajsFrame, RawClient, recordingLogger, startTestBroker, tempDir } from './support';

const ROOT = path.resolve(__dirname, '../../..');
const status = (pid: number) => fs.readFileSync(`/proc/${pid}/status`, 'utf8');

describe('starting and stopping the broker', () => {
  it('refuses a second broker on a data directory in use', async () => {
    const env = await startTestBroker();
    await expect(startBroker({ dataDir: env.dataDir, port: 0, logger: recordingLogger() })).rejects.toThrow(/already used/);
    await env.stop();
  });

  it('reopens a directory at once after its broker is killed with SIGKILL, even before that process is reaped', async () => {
    const dataDir = tempDir();
    // sh starts the broker in the background, prints its pid, then becomes `sleep`, which never
    // reaps it: after kill -9 the broker lingers as a zombie whose pid still looks alive.
    const cli = `${JSON.stringify(process.execPath)} -r ${JSON.stringify(path.join(ROOT, 'tools/register.js'))} ${JSON.stringify(path.join(ROOT, 'libs/kafka-embedded/src/cli.ts'))}`;
    const shell = spawn('sh', ['-c', `${cli} --port 0 --data-dir ${JSON.stringify(dataDir)} & echo "pid $!"; exec sleep 120`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const lines = createInterface({ input: shell.stdout! });
      const brokerPid = await new Promise<number>((resolve) => {
        let pid = 0;
        lines.on('line', (line) => {
          if (line.startsWith('pid ')) pid = Number(line.slice(4));
          if (pid && /listening on/.test(line)) resolve(pid);
        });
      });
      await expect(startBroker({ dataDir, port: 0, logger: recordingLogger() })).rejects.toThrow(/used by another broker/);

      process.kill(brokerPid, 'SIGKILL');
      // Dead: a zombie whose threads have all exited (the main thread turns Z before the others are gone).
      await eventually(() => /^State:\s+Z/m.test(status(brokerPid)) && /^Threads:\s+1$/m.test(status(brokerPid)));
      expect(() => process.kill(brokerPid, 0)).not.toThrow(); // the pid still answers: a pid file would say "in use"

      const second = await startTestBroker({ dataDir });
      await second.stop();
    } finally {
      shell.kill('SIGKILL');
    }
  });

  it('stops while a client is connected with a fetch parked, then reopens the same directory', async () => {
    const dataDir = tempDir();
    const first = await startTestBroker({ dataDir });
    const producer = kafkaFor(first.broker).producer();
    await producer.connect();
    await producer.send({ topic: 'kept', messages: [{ value: 'before stop', partition: 0 }] });
    await producer.disconnect();

    const raw = await RawClient.connect(first.broker);
    const fetchV11 = require('kafkajs/src/protocol/requests/fetch/v11/request'); // eslint-disable-line @typescript-eslint/no-require-imports
    const parked = raw.request(
      await kafkajsFrame(1, fetchV11({ replicaId: -1, maxWaitTime: 600_000, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic: 'kept', partitions: [{ partition: 0, fetchOffset: '1', maxBytes: 1 << 20 }] }] })),
    );
    void parked.catch(() => undefined);
    await first.broker.stop();
    await raw.closed;

    const second = await startTestBroker({ dataDir });
    const admin = kafkaFor(second.broker).admin();
    await admin.connect();
    expect(await admin.fetchTopicOffsets('kept')).toContainEqual({ partition: 0, offset: '1', high: '1', low: '0' });
    await admin.disconnect();
    await second.stop();
  });

  it('refuses unknown topics when auto-creation is off, until they are created', async () => {
    const env = await startTestBroker({ autoCreateTopics: false });
    const kafka = kafkaFor(env.broker, { retry: { retries: 1, initialRetryTime: 10 } });
    const admin = kafka.admin();
    await admin.connect();
    await expect(admin.fetchTopicMetadata({ topics: ['not-yet'] })).rejects.toThrow(/does not host this topic-partition/);
    await admin.createTopics({ topics: [{ topic: 'not-yet', numPartitions: 2 }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: ['not-yet'] });
    expect(topics[0].partitions).toHaveLength(2);
    await admin.disconnect();
    await env.stop();
  });

  it('runs from the command line and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, ['-r', path.join(ROOT, 'tools/register.js'), path.join(ROOT, 'libs/kafka-embedded/src/cli.ts'), '--port', '0', '--data-dir', dataDir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const address = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = /listening on (\S+)/.exec(line);
        if (m) resolve(m[1]);
      }),
    );
    const admin = kafkaFor({ address }).admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'cli-made' }] })).toBe(true);
    await admin.disconnect();
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('counts bytes, requests by API and rebalances', async () => {
    const env = await startTestBroker();
    const kafka = kafkaFor(env.broker);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'counted', messages: [{ value: 'x' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'counters', ...fastConsumer });
    let got = 0;
    await consumer.connect();
    await consumer.subscribe({ topic: 'counted', fromBeginning: true });
    await consumer.run({ eachMessage: async () => void got++ });
    await eventually(() => got === 1);
    await consumer.disconnect();
    const m = env.broker.metrics();
    expect(m.bytesIn).toBeGreaterThan(0);
    expect(m.bytesOut).toBeGreaterThan(0);
    expect(m.requestsByApi).toMatchObject({ ApiVersions: expect.any(Number), Produce: expect.any(Number), Fetch: expect.any(Number) });
    expect(m.rebalances).toBeGreaterThan(0);
    await env.stop();
  });
});
