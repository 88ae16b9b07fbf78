import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../src';
(async () => {
  const dir = `/tmp/kt/data-${Date.now()}`;
  const broker = await startBroker({ dataDir: dir, port: 0, initialRebalanceDelayMs: 0 });
  const kafka = new Kafka({ brokers: [broker.address], logLevel: logLevel.WARN, clientId: 'smoke' });
  const admin = kafka.admin();
  await admin.connect();
  console.log('created', await admin.createTopics({ topics: [{ topic: 'a', numPartitions: 2 }] }));
  console.log(JSON.stringify(await admin.fetchTopicMetadata({ topics: ['a'] })));
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  console.log(await producer.send({ topic: 'a', messages: [{ key: 'k1', value: 'v1', headers: { h: 'x' } }, { key: 'k2', value: 'v2' }] }));
  const consumer = kafka.consumer({ groupId: 'g1', sessionTimeout: 6000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'a', fromBeginning: true });
  let n = 0;
  await new Promise<void>((resolve) => {
    consumer.run({ eachMessage: async ({ partition, message }) => { console.log('got', partition, message.offset, message.key?.toString(), message.value?.toString(), message.headers); if (++n === 2) resolve(); } });
  });
  console.log(await admin.fetchOffsets({ groupId: 'g1', topics: ['a'] }).catch(e => e.message));
  await consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
  console.log(broker.metrics());
  await broker.stop();
})().catch((e) => { console.error('FAIL', e); process.exit(1); });
