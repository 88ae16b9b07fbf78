import { CompressionTypes, Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { BrokerTarget, eventually, fastConsumer, kafkaFor, kafkajsFrame, RawClient, startTarget, targetName } from './support';

describe(`kafkajs against the ${targetName()} broker`, () => {
  let target: BrokerTarget;
  let kafka: Kafka;
  const consumers: Consumer[] = [];
  const n = (name: string) => target.unique(name);

  beforeAll(async () => {
    target = await startTarget({ defaultPartitions: 3 });
    kafka = kafkaFor(target);
    // Created up front, as the services' topics are: on Kafka a topic auto-created by a produce
    // may answer NOT_LEADER_OR_FOLLOWER for a moment, and the producer's retry then writes twice.
    const admin = kafka.admin();
    await admin.connect();
    const topics = ['orders', 'keyed', 'seekable', 'described', 'zipped', 'fire-and-forget'];
    await admin.createTopics({ topics: topics.map((t) => ({ topic: n(t), numPartitions: 3 })) });
    await admin.disconnect();
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
  });
  afterAll(() => target.stop());

  const consume = async (groupId: string, topic: string, onMessage: (m: EachMessagePayload) => void, extra = {}) => {
    const consumer = kafka.consumer({ groupId, ...fastConsumer, ...extra });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async (m) => onMessage(m) });
    return consumer;
  };

  it('delivers keyed messages with headers to the partitions they were sent to', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: n('orders'),
      messages: [
        { key: 'a', value: 'first', partition: 0, headers: { trace: 't-1', dup: ['x', 'y'] } },
        { key: 'b', value: 'second', partition: 1, headers: { trace: 't-2' } },
        { key: 'c', value: 'third', partition: 2 },
        { key: 'a', value: 'fourth', partition: 0, headers: { trace: 't-4' } },
      ],
    });
    await producer.disconnect();

    const seen: { partition: number; offset: string; key: string; value: string; headers: Record<string, unknown> }[] = [];
    await consume(n('orders-reader'), n('orders'), ({ partition, message }) =>
      seen.push({
        partition,
        offset: message.offset,
        key: String(message.key),
        value: String(message.value),
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)])),
      }),
    );
    await eventually(() => seen.length === 4);

    const byValue = Object.fromEntries(seen.map((s) => [s.value, s]));
    expect(byValue.first).toMatchObject({ partition: 0, offset: '0', key: 'a', headers: { trace: 't-1', dup: ['x', 'y'] } });
    expect(byValue.second).toMatchObject({ partition: 1, offset: '0', key: 'b', headers: { trace: 't-2' } });
    expect(byValue.third).toMatchObject({ partition: 2, offset: '0', key: 'c', headers: {} });
    expect(byValue.fourth).toMatchObject({ partition: 0, offset: '1', key: 'a', headers: { trace: 't-4' } });
  });

  it('sends every message with the same key to the same partition', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const sent = await producer.send({
      topic: n('keyed'),
      messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 3}`, value: `v${i}` })),
    });
    await producer.disconnect();
    expect(sent.reduce((n, p) => n + Number(p.baseOffset !== '-1'), 0)).toBeGreaterThan(0);

    const partitionsByKey = new Map<string, Set<number>>();
    let count = 0;
    await consume(n('keyed-reader'), n('keyed'), ({ partition, message }) => {
      const key = String(message.key);
      partitionsByKey.set(key, (partitionsByKey.get(key) ?? new Set()).add(partition));
      count++;
    });
    await eventually(() => count === 30);
    expect([...partitionsByKey.values()].map((s) => s.size)).toEqual([1, 1, 1]);
  });

  it('resumes a group after its last committed offset', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: n('resume'), numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: n('resume'), messages: [1, 2, 3].map((i) => ({ value: `m${i}` })) });

    const first: string[] = [];
    const c1 = await consume(n('resumers'), n('resume'), ({ message }) => first.push(String(message.value)));
    await eventually(() => first.length === 3);
    await eventually(async () => {
      const [offsets] = await admin.fetchOffsets({ groupId: n('resumers'), topics: [n('resume')] });
      return offsets.partitions[0].offset === '3';
    });
    await c1.disconnect();

    await producer.send({ topic: n('resume'), messages: [4, 5].map((i) => ({ value: `m${i}` })) });
    const second: string[] = [];
    await consume(n('resumers'), n('resume'), ({ message }) => second.push(String(message.value)));
    await eventually(() => second.length === 2);
    expect(first).toEqual(['m1', 'm2', 'm3']);
    expect(second).toEqual(['m4', 'm5']);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('commits offsets explicitly and reports them to the admin', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: n('manual'), numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: n('manual'), messages: [{ value: 'a' }, { value: 'b' }] });
    const consumer = kafka.consumer({ groupId: n('manual-committer'), ...fastConsumer });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: n('manual'), fromBeginning: true });
    let seen = 0;
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        seen++;
        if (String(message.value) === 'a') await consumer.commitOffsets([{ topic, partition, offset: '1' }]);
      },
    });
    await eventually(() => seen === 2);
    const [offsets] = await admin.fetchOffsets({ groupId: n('manual-committer'), topics: [n('manual')] });
    expect(offsets.partitions).toEqual([{ partition: 0, offset: '1', metadata: null }]);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('moves a running consumer to the offset it seeks to', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: n('seekable'), messages: Array.from({ length: 6 }, (_, i) => ({ value: `s${i}`, partition: 0 })) });
    const values: string[] = [];
    const consumer = await consume(n('seekers'), n('seekable'), ({ partition, message }) => {
      if (partition === 0) values.push(String(message.value));
    });
    await eventually(() => values.length === 6);
    consumer.seek({ topic: n('seekable'), partition: 0, offset: '3' });
    await eventually(() => values.length === 9);
    expect(values).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's3', 's4', 's5']);
    await producer.disconnect();
  });

  it('finds records by timestamp', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: n('timed'), numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: n('timed'), messages: [{ value: 'old', timestamp: '1000' }] });
    await producer.send({ topic: n('timed'), messages: [{ value: 'mid', timestamp: '2000' }, { value: 'new', timestamp: '3000' }] });
    expect(await admin.fetchTopicOffsetsByTimestamp(n('timed'), 1500)).toEqual([{ partition: 0, offset: '1' }]);
    expect(await admin.fetchTopicOffsetsByTimestamp(n('timed'), 2500)).toEqual([{ partition: 0, offset: '2' }]);
    expect(await admin.fetchTopicOffsets(n('timed'))).toEqual([{ partition: 0, offset: '3', high: '3', low: '0' }]);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('creates topics through the admin and describes them in metadata', async () => {
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: n('admin-made'), numPartitions: 5 }, { topic: n('admin-default') }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: n('admin-made'), numPartitions: 5 }] })).toBe(false);
    await expect(admin.createTopics({ topics: [{ topic: n('replicated'), replicationFactor: 3 }] })).rejects.toMatchObject({
      errors: [expect.objectContaining({ topic: n('replicated'), type: 'INVALID_REPLICATION_FACTOR' })],
    });

    const { topics } = await admin.fetchTopicMetadata({ topics: [n('admin-made'), n('admin-default')] });
    expect(Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]))).toEqual({ [n('admin-made')]: 5, [n('admin-default')]: 3 });
    expect(topics.find((t) => t.name === n('admin-made'))!.partitions[0]).toMatchObject({ leader: 1, replicas: [1], isr: [1] });
    expect(await admin.listTopics()).toEqual(expect.arrayContaining([n('admin-made'), n('admin-default')]));
    const cluster = await admin.describeCluster();
    expect(cluster).toMatchObject({ controller: 1, brokers: [{ nodeId: 1, host: target.host, port: target.port }] });

    await admin.deleteTopics({ topics: [n('admin-default')] });
    expect(await admin.listTopics()).not.toContain(n('admin-default'));
    await admin.disconnect();
  });

  it('describes and lists a running group', async () => {
    let got = 0;
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: n('described'), messages: [{ value: 'x' }] });
    await consume(n('describers'), n('described'), () => got++);
    await eventually(() => got === 1);
    const admin = kafka.admin();
    await admin.connect();
    const { groups } = await admin.describeGroups([n('describers')]);
    expect(groups[0]).toMatchObject({ groupId: n('describers'), state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' });
    expect(groups[0].members).toHaveLength(1);
    const listed = await admin.listGroups();
    expect(listed.groups).toEqual(expect.arrayContaining([{ groupId: n('describers'), protocolType: 'consumer' }]));
    await producer.disconnect();
    await admin.disconnect();
  });

  it('stores gzip-compressed batches as sent and serves them back', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: n('zipped'), compression: CompressionTypes.GZIP, messages: ['z1', 'z2', 'z3'].map((value) => ({ value, partition: 0 })) });
    await producer.disconnect();
    const values: string[] = [];
    await consume(n('unzippers'), n('zipped'), ({ message }) => values.push(`${message.offset}:${message.value}`));
    await eventually(() => values.length === 3);
    expect(values).toEqual(['0:z1', '1:z2', '2:z3']);
  });

  it('stores messages sent with acks=0 without answering them', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: n('fire-and-forget'), acks: 0, messages: [{ value: 'f1', partition: 0 }, { value: 'f2', partition: 0 }] });
    await producer.send({ topic: n('fire-and-forget'), acks: 1, messages: [{ value: 'f3', partition: 0 }] });
    await producer.disconnect();
    const values: string[] = [];
    await consume(n('fire-readers'), n('fire-and-forget'), ({ message }) => values.push(String(message.value)));
    await eventually(() => values.length === 3);
    expect(values).toEqual(['f1', 'f2', 'f3']);
  });

  it('holds a fetch until a produce lands, then answers it at once', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: n('long-poll'), numPartitions: 1 }] });
    await admin.disconnect();
    const raw = await RawClient.connect(target);
    // A ten-minute max wait: only the produce below can end this fetch within the test's timeout.
    const fetchV11 = require('kafkajs/src/protocol/requests/fetch/v11/request'); // eslint-disable-line @typescript-eslint/no-require-imports
    const fetchResponse = require('kafkajs/src/protocol/requests/fetch/v11/response'); // eslint-disable-line @typescript-eslint/no-require-imports
    const pending = raw.request(
      await kafkajsFrame(1, fetchV11({ replicaId: -1, maxWaitTime: 600_000, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic: n('long-poll'), partitions: [{ partition: 0, fetchOffset: '0', maxBytes: 1 << 20 }] }] })),
    );
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: n('long-poll'), messages: [{ value: 'wake up' }] });
    const response = await fetchResponse.decode((await pending).subarray(4));
    expect(response.responses[0].partitions[0].messages.map((m: { value: Buffer }) => String(m.value))).toEqual(['wake up']);
    await producer.disconnect();
    raw.close();
  });
});
