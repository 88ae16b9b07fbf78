import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { Consumer, Kafka } from 'kafkajs';
import { BrokerTarget, eventually, fastConsumer, kafkaFor, startTarget, targetName } from './support';

const ROOT = path.resolve(__dirname, '../../..');

/** Starts a group member in a child process and resolves once it reports an assignment. */
function spawnMember(address: string, groupId: string, topic: string, sessionTimeoutMs: number) {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'tools/register.js'), path.join(__dirname, 'fixtures/group-member.ts'), address, groupId, topic, String(sessionTimeoutMs)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const assignments: number[][] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => assignments.push(JSON.parse(line).assigned));
  return { child, assignments };
}

describe(`consumer groups on the ${targetName()} broker`, () => {
  let target: BrokerTarget;
  let kafka: Kafka;
  const consumers: Consumer[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    target = await startTarget();
    kafka = kafkaFor(target);
  });
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
  });
  afterAll(() => target.stop());

  /** An in-process member that records its latest assignment and every message it gets. */
  async function member(groupId: string, topic: string) {
    const state = { assigned: [] as number[], received: [] as string[], joins: 0 };
    const consumer = kafka.consumer({ groupId, ...fastConsumer });
    consumers.push(consumer);
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      state.assigned = e.payload.memberAssignment[topic] ?? [];
      state.joins++;
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void state.received.push(String(message.value)) });
    return state;
  }

  it('spreads partitions over three members and gives a killed member\'s partitions to the survivors', async () => {
    const [topic, group] = [target.unique('work'), target.unique('workers')];
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });

    const a = await member(group, topic);
    const b = await member(group, topic);
    const doomed = spawnMember(target.address, group, topic, 6000); // Kafka's shortest session
    children.push(doomed.child);

    await eventually(async () => {
      const { groups } = await admin.describeGroups([group]);
      const last = doomed.assignments[doomed.assignments.length - 1];
      return groups[0].state === 'Stable' && groups[0].members.length === 3 && a.assigned.length === 2 && b.assigned.length === 2 && last?.length === 2;
    });
    expect([...a.assigned, ...b.assigned, ...doomed.assignments[doomed.assignments.length - 1]].sort()).toEqual([0, 1, 2, 3, 4, 5]);

    doomed.child.kill('SIGKILL');
    await eventually(() => a.assigned.length + b.assigned.length === 6, 30_000);
    expect([...a.assigned, ...b.assigned].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const { groups } = await admin.describeGroups([group]);
    expect(groups[0].members.map((m) => m.clientId)).toEqual(['test', 'test']); // the killed member's session expired

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [0, 1, 2, 3, 4, 5].map((p) => ({ partition: p, value: `job-${p}` })) });
    await eventually(() => a.received.length + b.received.length === 6);
    expect([...a.received, ...b.received].sort()).toEqual(['job-0', 'job-1', 'job-2', 'job-3', 'job-4', 'job-5']);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('rebalances when a member leaves cleanly', async () => {
    const [topic, group] = [target.unique('leave-topic'), target.unique('leavers')];
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await admin.disconnect();
    const a = await member(group, topic);
    const b = await member(group, topic);
    await eventually(() => a.assigned.length + b.assigned.length === 3 && a.assigned.length > 0 && b.assigned.length > 0);
    const joinsBefore = a.joins;
    await consumers[1].disconnect();
    await eventually(() => a.assigned.length === 3);
    expect(a.joins).toBeGreaterThan(joinsBefore);
  });
});
