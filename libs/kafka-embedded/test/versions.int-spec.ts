import { BrokerTarget, eventually, kafkaFor, kafkajsFrame, RawClient, startTarget, targetName } from './support';

// Every version of every API that kafkajs implements and Kafka 4.x still serves, encoded and
// decoded by kafkajs's own per-version code: the layouts must match byte for byte, on this
// broker and on Apache Kafka alike.

interface Protocol {
  request: { apiKey: number; apiVersion: number; encode: () => Promise<{ buffer: Buffer }> };
  response: { decode: (b: Buffer) => Promise<Record<string, unknown>>; parse: (d: unknown) => Promise<Record<string, unknown>> };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const api = (name: string, version: number) => (args: object): Protocol => require(`kafkajs/src/protocol/requests/${name}`).protocol({ version })(args);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe(`every API version kafkajs can speak, against the ${targetName()} broker`, () => {
  let target: BrokerTarget;
  let raw: RawClient;
  let correlation = 0;
  let topic: string;
  let group: string;

  beforeAll(async () => {
    target = await startTarget({ defaultPartitions: 3 }); // as num.partitions of broker:apache
    topic = target.unique('matrix');
    group = target.unique('matrix-group');
    const admin = kafkaFor(target).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
    raw = await RawClient.connect(target);
  });
  afterAll(async () => {
    raw.close();
    await target.stop();
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
    expect(res.apiVersions).toContainEqual(expect.objectContaining({ apiKey: 1, minVersion: 4 }));
  });

  it.each(range(0, 6))('Metadata v%i', async (v) => {
    const res = await call(api('metadata', v)({ topics: [topic], allowAutoTopicCreation: true }));
    expect(res.topicMetadata).toEqual([expect.objectContaining({ topic, partitionMetadata: [expect.objectContaining({ partitionId: 0, leader: 1 })] })]);
  });

  it.each(range(3, 7))('Produce v%i', async (v) => {
    const res = await call(api('produce', v)({ acks: -1, timeout: 1000, topicData: [{ topic, partitions: [{ partition: 0, messages: [{ value: `p${v}` }] }] }] }));
    expect(res.topics).toEqual([expect.objectContaining({ topicName: topic, partitions: [expect.objectContaining({ errorCode: 0, baseOffset: String(v - 3) })] })]);
  });

  it.each(range(4, 11))('Fetch v%i', async (v) => {
    const res = await call(api('fetch', v)({ maxWaitTime: 0, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: '1', maxBytes: 1 << 20 }] }] }));
    const [partition] = (res.responses as { partitions: { messages: { offset: string; value: Buffer }[] }[] }[])[0].partitions;
    expect(partition.messages.map((m) => [m.offset, String(m.value)]).filter(([o]) => Number(o) >= 1)).toEqual([
      ['1', 'p4'],
      ['2', 'p5'],
      ['3', 'p6'],
      ['4', 'p7'],
    ]);
  });

  it.each(range(1, 3))('ListOffsets v%i', async (v) => {
    const res = await call(api('listOffsets', v)({ topics: [{ topic, partitions: [{ partition: 0, timestamp: -1 }] }] }));
    expect(JSON.stringify(res.responses)).toMatch(/"offset":"5"/);
  });

  it.each(range(2, 5))('OffsetCommit v%i, read back by OffsetFetch v1–v4', async (v) => {
    const topics = [{ topic, partitions: [{ partition: 0, offset: String(v) }] }];
    await call(api('offsetCommit', v)({ groupId: group, groupGenerationId: -1, memberId: '', retentionTime: -1, topics }));
    for (const fv of range(1, 4)) {
      const res = await call(api('offsetFetch', fv)({ groupId: group, topics: [{ topic, partitions: [{ partition: 0 }] }] }));
      expect(res.responses).toEqual([{ topic, partitions: [expect.objectContaining({ partition: 0, offset: String(v) })] }]);
    }
  });

  it('refuses an offset commit whose metadata is over 4,096 characters: OFFSET_METADATA_TOO_LARGE', async () => {
    // Kafka's offset.metadata.max.bytes: kept with every offset, so the broker bounds it (it once grew the offsets file without end).
    const commit = (metadata: string) =>
      call(api('offsetCommit', 2)({ groupId: group, groupGenerationId: -1, memberId: '', retentionTime: -1, topics: [{ topic, partitions: [{ partition: 0, offset: '1', metadata }] }] }));
    await expect(commit('m'.repeat(4097))).rejects.toMatchObject({ type: 'OFFSET_METADATA_TOO_LARGE' });
    await expect(commit('m'.repeat(4096))).resolves.toBeDefined();
  });

  it.each(range(0, 2))('FindCoordinator v%i', async (v) => {
    const res = await call(api('findCoordinator', v)({ groupId: group }));
    expect(res.coordinator).toEqual({ nodeId: 1, host: target.host, port: target.port });
  });

  it.each([
    [0, 0, 0, 0],
    [1, 1, 1, 1],
    [2, 1, 1, 2],
    [3, 2, 2, 3],
    [4, 3, 3, 3],
    [5, 3, 3, 3],
  ])('JoinGroup v%i with SyncGroup v%i, Heartbeat v%i, LeaveGroup v%i', async (jv, sv, hv, lv) => {
    const groupId = target.unique(`matrix-join-${jv}`);
    const request = { groupId, sessionTimeout: 10_000, rebalanceTimeout: 10_000, memberId: '', protocolType: 'consumer', groupProtocols: [{ name: 'rr', metadata: Buffer.from('meta') }] };
    // From v4 on, a newcomer is first handed its member id (MEMBER_ID_REQUIRED) and joins with it.
    const memberIdRequired = jv >= 4 ? await call(api('joinGroup', jv)(request)).catch((e) => e) : null;
    if (jv >= 4) expect(memberIdRequired).toMatchObject({ type: 'MEMBER_ID_REQUIRED', memberId: expect.any(String) });
    const joined = await call(api('joinGroup', jv)({ ...request, memberId: memberIdRequired?.memberId ?? '' }));
    expect(joined).toMatchObject({ generationId: 1, groupProtocol: 'rr', leaderId: joined.memberId });
    const memberId = joined.memberId as string;
    const synced = await call(api('syncGroup', sv)({ groupId, generationId: 1, memberId, groupAssignment: [{ memberId, memberAssignment: Buffer.from('mine') }] }));
    expect(String(synced.memberAssignment)).toBe('mine');
    await call(api('heartbeat', hv)({ groupId, groupGenerationId: 1, memberId }));
    const described = await call(api('describeGroups', Math.min(jv, 2))({ groupIds: [groupId] }));
    expect(described.groups).toEqual([expect.objectContaining({ groupId, state: 'Stable', protocol: 'rr' })]);
    await call(api('leaveGroup', lv)({ groupId, memberId }));
  });

  it('refuses a session timeout outside 6 s (group.min.session.timeout.ms) to 30 min', async () => {
    for (const sessionTimeout of [3000, 1_800_001]) {
      const request = { groupId: target.unique('impatient'), sessionTimeout, rebalanceTimeout: 10_000, memberId: '', protocolType: 'consumer', groupProtocols: [{ name: 'rr', metadata: Buffer.from('m') }] };
      await expect(call(api('joinGroup', 5)(request))).rejects.toMatchObject({ type: 'INVALID_SESSION_TIMEOUT' });
    }
  });

  it.each(range(0, 2))('ListGroups v%i', async (v) => {
    const res = await call(api('listGroups', v)({}));
    // A group that only ever committed offsets (no member joined) has no protocol type.
    expect(res.groups).toContainEqual({ groupId: group, protocolType: '' });
    expect(res.groups).toContainEqual({ groupId: target.unique('matrix-join-5'), protocolType: 'consumer' });
  });

  it.each(range(2, 3))('CreateTopics v%i and DeleteTopics v1', async (v) => {
    const made = target.unique(`made-by-v${v}`);
    await call(api('createTopics', v)({ topics: [{ topic: made, numPartitions: 2, replicationFactor: 1 }], timeout: 5000, validateOnly: false }));
    // Kafka's controller creates the topic; its partitions get leaders a moment after CreateTopics answers.
    const res = await eventually(() => call(api('metadata', 6)({ topics: [made], allowAutoTopicCreation: false })));
    expect(res.topicMetadata).toEqual([expect.objectContaining({ topic: made, partitionMetadata: [expect.anything(), expect.anything()] })]);
    await call(api('deleteTopics', 1)({ topics: [made], timeout: 5000 }));
  });

  it.each(range(0, 1))('InitProducerId v%i', async (v) => {
    // Apache Kafka answers COORDINATOR_LOAD_IN_PROGRESS until its transaction state is loaded; clients retry.
    const res = await eventually(() => call(api('initProducerId', v)({ transactionTimeout: 1000 })));
    expect(res).toMatchObject({ errorCode: 0, producerEpoch: 0 });
  });

  it('auto-creates a topic a Metadata request names, visible from the next request on', async () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const metadataV6 = require('kafkajs/src/protocol/requests/metadata/v6/request');
    const metadataResponse = require('kafkajs/src/protocol/requests/metadata/v6/response');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const topic = target.unique('auto-made');
    const raw = await RawClient.connect(target);
    let correlation = 0;
    const ask = async () => {
      const frame = await raw.request(await kafkajsFrame(++correlation, metadataV6({ topics: [topic], allowAutoTopicCreation: true })));
      return (await metadataResponse.decode(frame.subarray(4))).topicMetadata[0];
    };
    // The request that causes the creation is answered before the topic exists, as Kafka's controller creates it.
    expect(await ask()).toMatchObject({ topic, topicErrorCode: 3, partitionMetadata: [] });
    const created = await eventually(async () => {
      const answer = await ask();
      return answer.topicErrorCode === 0 && answer.partitionMetadata.every((p: { partitionErrorCode: number }) => p.partitionErrorCode === 0) ? answer : null;
    });
    expect(created.partitionMetadata).toHaveLength(3);
    raw.close();
  });

  // KIP-896: Kafka 4 closes the connection on these instead of answering.
  it.each([
    ['ListOffsets v0', () => api('listOffsets', 0)({ topics: [{ topic, partitions: [{ partition: 0, timestamp: -1 }] }] })],
    ['OffsetCommit v1', () => api('offsetCommit', 1)({ groupId: group, groupGenerationId: -1, memberId: '', topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }] })],
    ['OffsetFetch v0', () => api('offsetFetch', 1)({ groupId: group, topics: [{ topic, partitions: [{ partition: 0 }] }] })],
    ['CreateTopics v1', () => api('createTopics', 1)({ topics: [{ topic: target.unique('never'), numPartitions: 1, replicationFactor: 1 }], timeout: 1000 })],
    ['DeleteTopics v0', () => api('deleteTopics', 0)({ topics: [topic], timeout: 1000 })],
    ['Produce v2', () => api('produce', 2)({ acks: -1, timeout: 1000, topicData: [{ topic, partitions: [{ partition: 0, messages: [{ value: 'old' }] }] }] })],
    ['Fetch v3', () => api('fetch', 3)({ maxWaitTime: 0, minBytes: 1, maxBytes: 1000, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: '0', maxBytes: 1000 }] }] })],
  ])('closes the connection on %s, a version Kafka 4 removed', async (name, protocol) => {
    const own = await RawClient.connect(target);
    const request = protocol().request;
    // kafkajs has no OffsetFetch v0: send its v1 bytes labelled v0, whose layout is the same.
    const frame = await kafkajsFrame(1, name === 'OffsetFetch v0' ? { ...request, apiVersion: 0 } : request);
    const answer = own.request(frame).then(() => 'answered');
    await expect(Promise.race([answer, own.closed.then(() => 'closed')])).resolves.toBe('closed');
    own.close();
  });
});
