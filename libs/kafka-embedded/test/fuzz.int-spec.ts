import { connect } from 'node:net';
import { Kafka } from 'kafkajs';
import { EmbeddedBroker } from '../src';
import { eventually, fastConsumer, kafkaFor, kafkajsBatch, kafkajsFrame, RawClient, startTestBroker } from './support';

/* eslint-disable @typescript-eslint/no-require-imports */
const req = (p: string) => require(`kafkajs/src/protocol/requests/${p}/request`);
/* eslint-enable @typescript-eslint/no-require-imports */

/** Deterministic PRNG (mulberry32) so a failing case can be replayed from its seed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Valid request frames as kafkajs encodes them: the raw material to truncate and mutate. */
async function validFrames(): Promise<Buffer[]> {
  const topics = [{ topic: 'fuzz-target', partitions: [{ partition: 0 }] }];
  const defs = [
    req('apiVersions/v2')(),
    req('metadata/v6')({ topics: ['fuzz-target'] }),
    req('produce/v7')({ acks: -1, timeout: 100, topicData: [{ topic: 'fuzz-target', partitions: [{ partition: 0, firstSequence: 0, messages: [{ key: 'k', value: 'v', headers: { h: '1' } }] }] }] }),
    req('fetch/v11')({ replicaId: -1, maxWaitTime: 10, minBytes: 1, maxBytes: 1024, topics: [{ topic: 'fuzz-target', partitions: [{ partition: 0, fetchOffset: '0', maxBytes: 1024 }] }] }),
    req('listOffsets/v3')({ replicaId: -1, isolationLevel: 1, topics }),
    req('findCoordinator/v2')({ coordinatorKey: 'fuzz-group', coordinatorType: 0 }),
    req('joinGroup/v5')({ groupId: 'fuzz-group', sessionTimeout: 100, rebalanceTimeout: 100, memberId: '', protocolType: 'consumer', groupProtocols: [{ name: 'rr', metadata: Buffer.from('x') }] }),
    req('syncGroup/v3')({ groupId: 'fuzz-group', generationId: 1, memberId: 'm', groupAssignment: [{ memberId: 'm', memberAssignment: Buffer.from('a') }] }),
    req('heartbeat/v3')({ groupId: 'fuzz-group', groupGenerationId: 1, memberId: 'm' }),
    req('offsetCommit/v5')({ groupId: 'fuzz-group', groupGenerationId: -1, memberId: '', topics: [{ topic: 'fuzz-target', partitions: [{ partition: 0, offset: '1' }] }] }),
    req('offsetFetch/v4')({ groupId: 'fuzz-group', topics: [{ topic: 'fuzz-target', partitions: [{ partition: 0 }] }] }),
    req('describeGroups/v2')({ groupIds: ['fuzz-group'] }),
    req('listGroups/v2')(),
    req('leaveGroup/v3')({ groupId: 'fuzz-group', members: [{ memberId: 'm' }] }),
    req('initProducerId/v1')({ transactionalId: null, transactionTimeout: 100 }),
  ];
  return Promise.all(defs.map((d, i) => kafkajsFrame(i + 1, d)));
}

const withSize = (body: Buffer) => {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
};

/** Sends bytes on a fresh connection; resolves once the broker answers, closes, or stays quiet for a moment. */
function throwAt(broker: EmbeddedBroker, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(broker.port, broker.host, () => socket.write(bytes));
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, 30);
    socket.on('data', done);
    socket.on('close', done);
    socket.on('error', done);
  });
}

describe('the broker under malformed input', () => {
  let env: Awaited<ReturnType<typeof startTestBroker>>;
  let kafka: Kafka;

  beforeAll(async () => {
    env = await startTestBroker({ defaultPartitions: 1 });
    kafka = kafkaFor(env.broker);
  });
  afterAll(() => env.stop());

  it('survives random, truncated and mutated frames and keeps serving a well-behaved client', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20261124);
    const random = prng(seed);
    const int = (n: number) => Math.floor(random() * n);
    const frames = await validFrames();

    // A client that stays connected through it all.
    const producer = kafka.producer();
    await producer.connect();

    const cases: Buffer[] = [];
    for (let i = 0; i < 150; i++) cases.push(withSize(Buffer.from(Array.from({ length: int(64) }, () => int(256)))));
    for (let i = 0; i < 150; i++) {
      const body = frames[int(frames.length)].subarray(4);
      cases.push(withSize(body.subarray(0, int(body.length))));
    }
    for (let i = 0; i < 300; i++) {
      const body = Buffer.from(frames[int(frames.length)].subarray(4));
      for (let m = 1 + int(4); m > 0; m--) body[8 + int(body.length - 8)] = int(256); // keep the header intact: reach the API decoders
      cases.push(withSize(body));
    }
    for (let i = 0; i < 50; i++) {
      const body = frames[int(frames.length)];
      cases.push(body.subarray(0, int(body.length))); // cut mid-frame, size prefix still claiming the whole
    }
    cases.push(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3])); // 2 GiB announced
    cases.push(Buffer.from([0xff, 0xff, 0xff, 0xf0, 1, 2, 3])); // negative size

    for (let i = 0; i < cases.length; i += 25) {
      await Promise.all(cases.slice(i, i + 25).map((c) => throwAt(env.broker, c)));
      await producer.send({ topic: 'survivor', messages: [{ value: `during-${i}` }] });
    }

    await producer.send({ topic: 'survivor', messages: [{ value: 'after' }] });
    const seen: string[] = [];
    const consumer = kafka.consumer({ groupId: 'fuzz-survivors', ...fastConsumer });
    await consumer.connect();
    await consumer.subscribe({ topic: 'survivor', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    await eventually(() => seen.includes('after'));
    await consumer.disconnect();
    await producer.disconnect();
    expect(seen).toHaveLength(Math.ceil(cases.length / 25) + 1);

    expect(env.broker.metrics().connectionErrors).toBeGreaterThan(100);
    expect(env.logger.lines.filter((l) => l.msg.startsWith('connection error')).length).toBe(env.broker.metrics().connectionErrors);
  });

  it('closes the connection on an unknown API key or version, and answers an unknown ApiVersions version with UNSUPPORTED_VERSION', async () => {
    const header = (key: number, version: number) => {
      const b = Buffer.alloc(10);
      b.writeInt16BE(key, 0);
      b.writeInt16BE(version, 2);
      b.writeInt32BE(7, 4);
      b.writeInt16BE(-1, 8);
      return withSize(b);
    };
    const unknownKey = await RawClient.connect(env.broker);
    unknownKey.write(header(999, 0));
    await unknownKey.closed;

    const produceV99 = await RawClient.connect(env.broker);
    produceV99.write(header(0, 99));
    await produceV99.closed;

    const apiVersions = await RawClient.connect(env.broker);
    const reply = await apiVersions.request(header(18, 99));
    expect(reply.readInt32BE(0)).toBe(7);
    expect(reply.readInt16BE(4)).toBe(35);
    apiVersions.close();
  });

  it('refuses a batch whose CRC does not match with CORRUPT_MESSAGE and keeps the connection', async () => {
    const batch = await kafkajsBatch(['intact']);
    batch[batch.length - 1] ^= 0xff;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'crc-check' }] });
    await admin.disconnect();
    const raw = await RawClient.connect(env.broker);
    const reply = await raw.request(produceFrame(11, 'crc-check', batch));
    // correlation id, [topic [partition error ...]]: error is after the name and the partition index
    const nameLength = reply.readInt16BE(8);
    expect(reply.readInt16BE(10 + nameLength + 4 + 4)).toBe(2);
    const again = await raw.request(await kafkajsFrame(12, req('apiVersions/v2')()));
    expect(again.readInt32BE(0)).toBe(12);
    raw.close();
  });
});

/** A Produce v7 frame around one prepared batch (the batch bytes untouched). */
function produceFrame(correlationId: number, topic: string, batch: Buffer): Buffer {
  const name = Buffer.from(topic);
  const b = Buffer.alloc(10 + 2 + 2 + 4 + 4 + 2 + name.length + 4 + 4 + 4);
  let o = b.writeInt16BE(0, 0); // Produce
  o = b.writeInt16BE(7, o);
  o = b.writeInt32BE(correlationId, o);
  o = b.writeInt16BE(-1, o); // client id
  o = b.writeInt16BE(-1, o); // transactional_id
  o = b.writeInt16BE(-1, o); // acks
  o = b.writeInt32BE(1000, o);
  o = b.writeInt32BE(1, o);
  o = b.writeInt16BE(name.length, o);
  o += name.copy(b, o);
  o = b.writeInt32BE(1, o);
  o = b.writeInt32BE(0, o);
  b.writeInt32BE(batch.length, o);
  return withSize(Buffer.concat([b, batch]));
}
