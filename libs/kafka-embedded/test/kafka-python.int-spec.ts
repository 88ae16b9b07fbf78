import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { BrokerTarget, kafkaFor, startTarget, targetName } from './support';

// Debian's python3-kafka (kafka-python 2.0.2), a third client beside kafkajs and librdkafka.
// PyPI is not reachable from our machines; Debian's package is (.ci/run installs it).
const PYTHON = process.env.KAFKA_PYTHON ?? '/usr/bin/python3';
const script = path.join(__dirname, 'fixtures', 'kafka-python-client.py');

describe(`kafka-python against the ${targetName()} broker`, () => {
  let target: BrokerTarget;

  beforeAll(async () => {
    target = await startTarget();
  });
  afterAll(() => target.stop());

  it('creates a topic, produces keyed records with headers, consumes them in a group and commits', async () => {
    const [topic, group] = [target.unique('from-python'), target.unique('python-readers')];
    const out = await new Promise<string>((resolve, reject) =>
      execFile(PYTHON, [script, target.address, topic, group], { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
    const result = JSON.parse(out.trim().split('\n').pop()!);
    expect(result.offsets).toEqual([0, 1, 2]);
    expect(result.seen).toEqual([0, 1, 2].map((i) => ({ partition: 0, offset: i, key: `k${i}`, value: `v${i}`, headers: [['trace', `t${i}`]] })));

    const admin = kafkaFor(target).admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.disconnect();
    expect(committed.partitions.find((p) => p.partition === 0)?.offset).toBe('3');
    expect(topics[0].partitions).toHaveLength(2);
  });
});
