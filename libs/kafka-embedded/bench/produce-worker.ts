// One kafkajs producer in a worker thread, so the benchmark can measure the broker with
// more client CPU than one event loop gives. Sends `batches` sends of `batchSize` messages.
import { parentPort, workerData } from 'node:worker_threads';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';

interface Job {
  address: string;
  topic: string;
  batches: number;
  batchSize: number;
  messageBytes: number;
  inFlight: number;
}

async function run({ address, topic, batches, batchSize, messageBytes, inFlight }: Job): Promise<void> {
  const producer = new Kafka({ clientId: 'bench-worker', brokers: [address], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const value = Buffer.alloc(messageBytes, 'x');
  const messages = Array.from({ length: batchSize }, (_, i) => ({ key: `k${i}`, value }));
  await producer.send({ topic, messages: messages.slice(0, 1) }); // warm up (counted as an extra message)
  parentPort!.postMessage('ready');
  await new Promise((resolve) => parentPort!.once('message', resolve));
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < batches) {
        next++;
        await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
      }
    }),
  );
  await producer.disconnect();
  parentPort!.postMessage('done');
}

void run(workerData as Job);
