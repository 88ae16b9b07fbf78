import { kafkaFor, kafkajsFrame, RawClient, startTestBroker } from './support';

// Every version of every API that kafkajs implements and this broker serves, encoded and
// decoded by kafkajs's own per-version code: the layouts must match byte for byte.

interface Protocol {
  request: { apiKey: number; apiVersion: number; encode: () => Promise<{ buffer: Buffer }> };
  response: { decode: (b: Buffer) => Promise<Record<string, unknown>>; parse: (d: unknown) => Promise<Record<string, unknown>> };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const api = (name: string, version: number) => (args: object): Protocol => require(`kafkajs/src/protocol/requests/${name}`).protocol({ version })(args);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('every API version kafkajs can speak', () => {
  let env: Awaited<ReturnType<typeof startTestBroker>>;
  let raw: RawClient;
  let correlation = 0;

  beforeAll(async () => {
    env = await startTestBroker({ defaultPartitions: 1 });
    const admin = kafkaFor(env.broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'matrix', numPartitions: 1 }] });
    await admin.disconnect();
    raw = await RawClient.connect(env.broker);
  });
  afterAll(async () => {
    raw.close();
    await env.stop();
  });

  /** Sends one request, decodes and parses the answer with kafkajs (parse throws on any error code). */
  async function call(protocol: Protocol) {
    const id = ++correlation;
    const frame = await raw.request(await kafkajsFrame(id, protocol.request));
    expect(frame.readInt32BE(0)).toBe(id);
    return protocol.response.parse(await protocol.response.decode(frame.subarray(4)));
  }

  it.each(range(0, 2))('ApiVersions v%i', async (v) => {
    const res = await call(api('apiVersions', v)({}));
    expect(res.apiVersions).toContainEqual({ apiKey: 1, minVersion: 0, maxVersion: 11 });
  });

  it.each(range(0, 6))('Metadata v%i', async (v) => {
    const res = await call(api('metadata', v)({ topics: ['matrix'], allowAutoTopicCreation: true }));
    expect(res.topicMetadata).toEqual([expect.objectContaining({ topic: 'matrix', partitionMetadata: [expect.objectContaining({ partitionId: 0, leader: 1 })] })]);
  });

  it.each(range(3, 7))('Produce v%i', async (v) => {
    const res = await call(api('produce', v)({ acks: -1, timeout: 1000, topicData: [{ topic: 'matrix', partitions: [{ partition: 0, messages: [{ value: `p${v}` }] }] }] }));
    expect(res.topics).toEqual([expect.objectContaining({ topicName: 'matrix', partitions: [expect.objectContaining({ errorCode: 0, baseOffset: String(v - 3) })] })]);
  });

  it.each(range(4, 11))('Fetch v%i', async (v) => {
    const res = await call(api('fetch', v)({ maxWaitTime: 0, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic: 'matrix', partitions: [{ partition: 0, fetchOffset: '1', maxBytes: 1 << 20 }] }] }));
    const [partition] = (res.responses as { partitions: { messages: { offset: string; value: Buffer }[] }[] }[])[0].partitions;
    expect(partition.messages.map((m) => [m.offset, String(m.value)]).filter(([o]) => Number(o) >= 1)).toEqual([
      ['1', 'p4'],
      ['2', 'p5'],
      ['3', 'p6'],
      ['4', 'p7'],
    ]);
  });

  it.each(range(0, 3))('ListOffsets v%i', async (v) => {
    const res = await call(api('listOffsets', v)({ topics: [{ topic: 'matrix', partitions: [{ partition: 0, timestamp: -1 }] }] }));
    expect(JSON.stringify(res.responses)).toMatch(v === 0 ? /"offsets":\["5"\]/ : /"offset":"5"/);
  });

  it.each(range(0, 5))('OffsetCommit v%i, read back by OffsetFetch v1–v4', async (v) => {
    const topics = [{ topic: 'matrix', partitions: [{ partition: 0, offset: String(v) }] }];
    await call(api('offsetCommit', v)({ groupId: 'matrix-group', groupGenerationId: -1, memberId: '', retentionTime: -1, topics }));
    for (const fv of range(1, 4)) {
      const res = await call(api('offsetFetch', fv)({ groupId: 'matrix-group', topics: [{ topic: 'matrix', partitions: [{ partition: 0 }] }] }));
      expect(res.responses).toEqual([{ topic: 'matrix', partitions: [expect.objectContaining({ partition: 0, offset: String(v) })] }]);
    }
  });

  it.each(range(0, 2))('FindCoordinator v%i', async (v) => {
    const res = await call(api('findCoordinator', v)({ groupId: 'matrix-group' }));
    expect(res.coordinator).toEqual({ nodeId: 1, host: env.broker.host, port: env.broker.port });
  });

  it.each([
    [0, 0, 0, 0],
    [1, 1, 1, 1],
    [2, 1, 1, 2],
    [3, 2, 2, 3],
    [4, 3, 3, 3],
    [5, 3, 3, 3],
  ])('JoinGroup v%i with SyncGroup v%i, Heartbeat v%i, LeaveGroup v%i', async (jv, sv, hv, lv) => {
    const groupId = `matrix-join-${jv}`;
    const joined = await call(
      api('joinGroup', jv)({ groupId, sessionTimeout: 10_000, rebalanceTimeout: 10_000, memberId: '', protocolType: 'consumer', groupProtocols: [{ name: 'rr', metadata: Buffer.from('meta') }] }),
    );
    expect(joined).toMatchObject({ generationId: 1, groupProtocol: 'rr', leaderId: joined.memberId });
    const memberId = joined.memberId as string;
    const synced = await call(api('syncGroup', sv)({ groupId, generationId: 1, memberId, groupAssignment: [{ memberId, memberAssignment: Buffer.from('mine') }] }));
    expect(String(synced.memberAssignment)).toBe('mine');
    await call(api('heartbeat', hv)({ groupId, groupGenerationId: 1, memberId }));
    const described = await call(api('describeGroups', Math.min(jv, 2))({ groupIds: [groupId] }));
    expect(described.groups).toEqual([expect.objectContaining({ groupId, state: 'Stable', protocol: 'rr' })]);
    await call(api('leaveGroup', lv)({ groupId, memberId }));
  });

  it.each(range(0, 2))('ListGroups v%i', async (v) => {
    const res = await call(api('listGroups', v)({}));
    expect(res.groups).toContainEqual({ groupId: 'matrix-group', protocolType: 'consumer' });
  });

  it.each(range(0, 3))('CreateTopics v%i and DeleteTopics v0–v1', async (v) => {
    await call(api('createTopics', v)({ topics: [{ topic: `made-by-v${v}`, numPartitions: 2, replicationFactor: 1 }], timeout: 1000, validateOnly: false }));
    expect(env.broker.metrics().requestsByApi.CreateTopics).toBeGreaterThan(0);
    await call(api('deleteTopics', v % 2)({ topics: [`made-by-v${v}`], timeout: 1000 }));
  });

  it.each(range(0, 1))('InitProducerId v%i', async (v) => {
    const res = await call(api('initProducerId', v)({ transactionTimeout: 1000 }));
    expect(res).toMatchObject({ errorCode: 0, producerEpoch: 0 });
  });
});
