import { spawn } from 'node:child_process';
import { Kafka } from 'kafkajs';
import { BrokerTarget, eventually, fastConsumer, kafkaFor, startTarget, targetName } from './support';

// Debian's kcat (librdkafka 2.0.2) as a client independent of kafkajs and of this code.
const KCAT = process.env.KCAT ?? 'kcat';

function kcat(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(KCAT, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    const timer = setTimeout(() => child.kill('SIGTERM'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

describe(`kcat (librdkafka) against the ${targetName()} broker`, () => {
  let target: BrokerTarget;
  let kafka: Kafka;
  const n = (name: string) => target.unique(name);

  beforeAll(async () => {
    target = await startTarget({ defaultPartitions: 2 });
    kafka = kafkaFor(target);
    // Created up front: a topic auto-created by a produce may refuse it for a moment on Kafka.
    const admin = kafka.admin();
    await admin.connect();
    const topics = ['from-kcat', 'to-kcat', 'mid-batch', 'kcat-times', 'kcat-group', 'kcat-zstd', 'kcat-lz4', 'kcat-snappy', 'kcat-idem'];
    await admin.createTopics({ topics: topics.map((t) => ({ topic: n(t), numPartitions: 2 })) });
    await admin.disconnect();
  });
  afterAll(() => target.stop());

  it('accepts keyed records with headers from kcat, read back by kafkajs', async () => {
    const produced = await kcat(['-b', target.address, '-P', '-t', n('from-kcat'), '-p', '0', '-K', ':', '-H', 'trace=abc', '-H', 'dup=1', '-H', 'dup=2'], 'k1:hello\nk2:world\n');
    expect(produced).toMatchObject({ code: 0 });

    const consumer = kafka.consumer({ groupId: n('kcat-reader'), ...fastConsumer });
    const seen: { offset: string; key: string; value: string; trace: string; dup: string[] }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: n('from-kcat'), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void seen.push({
          offset: message.offset,
          key: String(message.key),
          value: String(message.value),
          trace: String(message.headers?.trace),
          dup: (message.headers?.dup as Buffer[]).map(String),
        }),
    });
    await eventually(() => seen.length === 2);
    await consumer.disconnect();
    expect(seen).toEqual([
      { offset: '0', key: 'k1', value: 'hello', trace: 'abc', dup: ['1', '2'] },
      { offset: '1', key: 'k2', value: 'world', trace: 'abc', dup: ['1', '2'] },
    ]);
  });

  it('serves kafkajs batches that kcat reads with CRC checks on', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: n('to-kcat'),
      messages: [
        { key: 'a', value: 'one', partition: 0, headers: { kafka_correlationId: 'c0' } },
        { key: 'b', value: 'two', partition: 0 },
      ],
    });
    await producer.send({ topic: n('to-kcat'), messages: [{ key: 'c', value: 'three', partition: 0 }] });
    await producer.disconnect();

    const read = await kcat(['-b', target.address, '-C', '-t', n('to-kcat'), '-p', '0', '-o', 'beginning', '-e', '-X', 'check.crcs=true', '-f', '%o|%k|%s|%h\\n']);
    expect(read.code).toBe(0);
    expect(read.stderr).not.toMatch(/crc|corrupt|error/i);
    expect(read.stdout.trim().split('\n')).toEqual(['0|a|one|kafka_correlationId=c0', '1|b|two|', '2|c|three|']);
  });

  it('reads from an offset in the middle of a stored batch', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: n('mid-batch'), messages: ['m0', 'm1', 'm2', 'm3'].map((value) => ({ value, partition: 1 })) });
    await producer.disconnect();
    const read = await kcat(['-b', target.address, '-C', '-t', n('mid-batch'), '-p', '1', '-o', '2', '-e', '-X', 'check.crcs=true', '-f', '%o:%s\\n']);
    expect(read.stdout.trim().split('\n')).toEqual(['2:m2', '3:m3']);
  });

  it('answers kcat\'s offsets-by-timestamp query', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: n('kcat-times'), messages: [1000, 2000, 3000].map((t) => ({ value: `at-${t}`, timestamp: String(t), partition: 0 })) });
    await producer.disconnect();
    const query = await kcat(['-b', target.address, '-Q', '-t', `${n('kcat-times')}:0:1500`, '-t', `${n('kcat-times')}:1:1500`]);
    expect(query.code).toBe(0);
    expect(query.stdout).toContain(`${n('kcat-times')} [0] offset 1\n`);
    expect(query.stdout).toContain(`${n('kcat-times')} [1] offset -1\n`);
  });

  it('runs a kcat -G group member that consumes everything and commits its offsets', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: n('kcat-group'), messages: ['x', 'y', 'z'].map((value, i) => ({ value, partition: i % 2 })) });
    await producer.disconnect();

    const read = await kcat(['-b', target.address, '-G', n('kcat-members'), n('kcat-group'), '-c', '3', '-X', 'auto.offset.reset=earliest', '-X', 'check.crcs=true', '-f', '%s\\n']);
    expect(read.code).toBe(0);
    expect(read.stdout.trim().split('\n').sort()).toEqual(['x', 'y', 'z']);

    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: n('kcat-members'), topics: [n('kcat-group')] });
    await admin.disconnect();
    expect(committed.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual(['2', '1']);
  });

  it('round-trips zstd, lz4 and snappy batches from kcat with CRC checks on', async () => {
    for (const codec of ['zstd', 'lz4', 'snappy']) {
      const produced = await kcat(['-b', target.address, '-P', '-t', n(`kcat-${codec}`), '-p', '0', '-z', codec], 'c1\nc2\nc3\n');
      expect(produced.code).toBe(0);
      const read = await kcat(['-b', target.address, '-C', '-t', n(`kcat-${codec}`), '-p', '0', '-e', '-X', 'check.crcs=true', '-f', '%o:%s\\n']);
      expect(read.stderr).not.toMatch(/crc|corrupt/i);
      expect(read.stdout.trim().split('\n')).toEqual(['0:c1', '1:c2', '2:c3']);
    }
  });

  it('accepts librdkafka\'s idempotent producer', async () => {
    const produced = await kcat(['-b', target.address, '-P', '-t', n('kcat-idem'), '-p', '0', '-X', 'enable.idempotence=true'], 'i1\ni2\ni3\n');
    expect(produced.code).toBe(0);
    const read = await kcat(['-b', target.address, '-C', '-t', n('kcat-idem'), '-p', '0', '-e', '-X', 'check.crcs=true', '-f', '%s\\n']);
    expect(read.stdout.trim().split('\n')).toEqual(['i1', 'i2', 'i3']);
  });
});
