import { dlqTopic, Headers, Topics } from '@homeline/contracts';
import { eventually, kafkaUserOf } from '@homeline/testing';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { createHousehold, spokenRequest } from '../src/household';
import { startSystem, type RunningSystem } from '../src/running-system';

/**
 * The services run as production runs them: each authenticated as its own Kafka user, with
 * exactly the ACLs its KafkaUser in deploy/k8s grants. So every consumer group and topic the
 * code uses must be allowed there, and nobody but calls can write the calls topic.
 */
describe('Kafka access, as the KafkaUsers of deploy/k8s grant it', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem();
  }, 180_000);

  afterAll(() => system?.stop());

  it('lets every service use the groups and topics its code uses: a call connects, and each consumer dead-letters what it cannot read', async () => {
    const home = await createHousehold(system.client);
    const { callId } = await system.client.placeCall(spokenRequest(home, home.members.Alex.voice, 'Mom'));
    const call = await system.client.waitForCall(callId, ['connected', 'ended', 'rejected', 'failed']);
    // The embedded broker lists the requests its ACLs refused: the first place to look when this fails.
    expect({ status: call.status, refused: system.kafka.denied() ?? [] }).toEqual({ status: 'connected', refused: [] });

    // Every consumer group writes what it cannot read to <topic>.dlq, under its own user.
    const producer = system.kafka.client().producer();
    await producer.connect();
    const injected = new Map<string, string>();
    for (const topic of [Topics.identity, Topics.calls, Topics.routing]) {
      const [sent] = await producer.send({ topic, messages: [{ key: 'not-an-event', value: 'this is not JSON' }] });
      injected.set(topic, `${sent.partition}/${sent.baseOffset}`);
    }
    await producer.disconnect();
    const readers = { [Topics.identity]: ['calls', 'routing', 'audit'], [Topics.calls]: ['identity', 'routing', 'audit'], [Topics.routing]: ['calls', 'audit'] };
    const { seen: deadLetters, stop } = await collect(system, Object.keys(readers).map(dlqTopic));
    await eventually(() => {
      for (const [topic, groups] of Object.entries(readers)) {
        const copies = deadLetters.filter((m) => m.topic === dlqTopic(topic) && origin(m.message) === injected.get(topic));
        expect({ topic, copies: copies.length }).toEqual({ topic, copies: groups.length });
      }
    }, { timeoutMs: 60_000 });
    await stop();
    expect(system.kafka.denied() ?? []).toEqual([]); // the embedded broker lists any refused request
  });

  it.each(['identity', 'routing', 'audit'])('refuses %s a write to the calls topic: TOPIC_AUTHORIZATION_FAILED', async (service) => {
    const producer = system.kafka.clientAs(kafkaUserOf(service)).producer();
    await producer.connect();
    const forged = producer.send({ topic: Topics.calls, messages: [{ key: 'call-forged', value: '{"type":"CallRouting"}' }] });
    await expect(forged).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
    await producer.disconnect();
  });

  it('refuses a client that does not authenticate, and one with a wrong password', async () => {
    const anonymous = new Kafka({ clientId: 'anonymous', brokers: [...system.kafka.brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).producer();
    await expect(anonymous.connect().then(() => anonymous.send({ topic: Topics.calls, messages: [{ value: 'forged' }] }))).rejects.toThrow();
    await anonymous.disconnect();
    const guessed = system.kafka.clientAs(kafkaUserOf('calls'), 'guessed-password').producer();
    await expect(guessed.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
  });
});

const origin = (message: KafkaMessage) => `${message.headers?.[Headers.dlqSourcePartition]}/${message.headers?.[Headers.dlqSourceOffset]}`;

async function collect(system: RunningSystem, topics: string[]) {
  const seen: { topic: string; message: KafkaMessage }[] = [];
  const consumer = system.kafka.client().consumer({ groupId: `dlq-watch-${Date.now()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ topic, message }) => void seen.push({ topic, message }) });
  return { seen, stop: () => consumer.disconnect() };
}
