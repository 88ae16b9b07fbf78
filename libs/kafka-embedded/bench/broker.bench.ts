// npm run bench:broker — the same kafkajs workload (throughput and latency) against the embedded
// broker and against Apache Kafka, then the ratio of each figure. Each broker runs as its own
// process (`npm run broker`, `npm run broker:apache`); clients run here.
// Env: BENCH_MESSAGES (default 200000), BENCH_FSYNC (embedded: always|interval|never, default interval),
//      BENCH_LATENCY_SECONDS (default 10), BENCH_PRODUCERS (default "1,2": one run per count),
//      BENCH_BROKERS (default "embedded,apache").
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Kafka, logLevel } from 'kafkajs';
import { apache, BenchBroker, embedded } from './brokers';
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200_000);
const FSYNC = process.env.BENCH_FSYNC ?? 'interval';
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);
const MESSAGE_BYTES = 1024;
const BATCH = 1000; // messages per producer.send
const IN_FLIGHT = 4; // concurrent sends
const RATE = 1000; // messages per second in the latency run
const WARMUP_SECONDS = 2;
/** producer counts to measure in turn, e.g. "1,2" (each producer is a worker thread) */
const PRODUCERS = (process.env.BENCH_PRODUCERS ?? '1,2').split(',').map(Number);

const rate = (count: number, ms: number) => {
  const perSec = (count * 1000) / ms;
  return `${Math.round(perSec).toLocaleString('en-US')} msg/s, ${((perSec * MESSAGE_BYTES) / 1024 / 1024).toFixed(1)} MiB/s`;
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Producers run in worker threads; each sends its share of MESSAGES and they start together. */
async function produceThroughput(address: string, topic: string, producers: number): Promise<{ stored: number; perSecond: number }> {
  const batches = Math.ceil(MESSAGES / BATCH / producers);
  const workers = Array.from(
    { length: producers },
    () =>
      new Worker(path.join(__dirname, 'produce-worker.ts'), {
        workerData: { address, topic, batches, batchSize: BATCH, messageBytes: MESSAGE_BYTES, inFlight: IN_FLIGHT },
      }),
  );
  const next = (w: Worker) => new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)));
  await Promise.all(workers.map(next)); // connected and warmed up
  const started = performance.now();
  const finished = workers.map(next);
  for (const w of workers) w.postMessage('go');
  await Promise.all(finished);
  const ms = performance.now() - started;
  await Promise.all(workers.map((w) => w.terminate()));
  const count = batches * BATCH * producers;
  console.log(
    `produce: ${count.toLocaleString('en-US')} x ${MESSAGE_BYTES} B in ${ms.toFixed(0)} ms — ${rate(count, ms)} ` +
      `(kafkajs, ${producers} producer${producers > 1 ? 's' : ''}, acks=all, ${BATCH} messages/send, ${IN_FLIGHT} sends in flight each)`,
  );
  return { stored: count + producers, perSecond: (count * 1000) / ms };
}

async function consumeThroughput(kafka: Kafka, topic: string, expected: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-consume-${Date.now()}`, maxWaitTimeInMs: 100, maxBytes: 50 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  let first = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      autoCommitInterval: 1000,
      eachBatch: async ({ batch }) => {
        if (!first) first = performance.now();
        count += batch.messages.length;
        if (count >= expected) resolve(performance.now());
      },
    });
  });
  const end = await done;
  const ms = end - first;
  console.log(`consume: ${count.toLocaleString('en-US')} messages in ${ms.toFixed(0)} ms (first to last fetch) — ${rate(count, ms)}`);
  await consumer.disconnect();
  return (count * 1000) / ms;
}

async function latency(kafka: Kafka, topic: string): Promise<{ p50: number; p99: number }> {
  const consumer = kafka.consumer({ groupId: 'bench-latency', maxWaitTimeInMs: 5000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const warmup = RATE * WARMUP_SECONDS; // sent at the same rate, not measured (JIT, first metadata)
  const total = warmup + RATE * LATENCY_SECONDS;
  let joined!: () => void;
  const ready = new Promise<void>((r) => (joined = r));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  const allReceived = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        const id = Number(message.key);
        const t = sentAt.get(id);
        if (t !== undefined && id >= warmup) latencies.push(performance.now() - t);
        if (latencies.length >= total - warmup) resolve();
      },
    });
  });
  await ready;
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: '-1', value: 'warm-up' }] });
  const value = Buffer.alloc(MESSAGE_BYTES, 'y');
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * RATE) / 1000) + 1);
      while (sent < due) {
        const id = sent++;
        sentAt.set(id, performance.now());
        void producer.send({ topic, messages: [{ key: String(id), value }] });
      }
      if (sent >= total) resolve();
      else setTimeout(tick, Math.max(0, start + (sent * 1000) / RATE - performance.now()));
    };
    tick();
  });
  await Promise.race([allReceived, new Promise((r) => setTimeout(r, 15_000))]);
  latencies.sort((a, b) => a - b);
  console.log(
    `latency at ${RATE} msg/s for ${LATENCY_SECONDS} s after ${WARMUP_SECONDS} s warm-up (${latencies.length}/${total - warmup} received): ` +
      `p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, max ${latencies[latencies.length - 1].toFixed(2)} ms`,
  );
  await producer.disconnect();
  await consumer.disconnect();
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

type Figures = Record<string, number>;

/** One broker's run: every figure by name (msg/s, or ms for latencies). */
async function measure(broker: BenchBroker): Promise<Figures> {
  const kafka = new Kafka({ clientId: 'bench', brokers: [broker.address], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  // Created up front: a topic auto-created by the first produce refuses writes for a moment on Kafka.
  await admin.createTopics({ topics: ['bench-throughput', 'bench-latency'].map((topic) => ({ topic, numPartitions: 3 })) });
  await admin.disconnect();
  const figures: Figures = {};
  if (process.env.BENCH_SKIP_THROUGHPUT !== '1') {
    let stored = 0;
    for (const producers of PRODUCERS) {
      const run = await produceThroughput(broker.address, 'bench-throughput', producers);
      stored += run.stored;
      figures[`produce msg/s, ${producers} producer${producers > 1 ? 's' : ''}`] = run.perSecond;
    }
    figures['consume msg/s'] = await consumeThroughput(kafka, 'bench-throughput', stored);
  }
  const { p50, p99 } = await latency(kafka, 'bench-latency');
  figures['latency p50 ms'] = p50;
  figures['latency p99 ms'] = p99;
  return figures;
}

async function main(): Promise<void> {
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const wanted = (process.env.BENCH_BROKERS ?? 'embedded,apache').split(',');
  const results = new Map<string, Figures>();
  const guard = setTimeout(() => {
    console.error('benchmark took too long, stopping');
    process.exit(1);
  }, 900_000);
  console.log(`bench:broker: ${os.cpus().length} cores, node ${process.version}, load average ${load()}; ${MESSAGES.toLocaleString('en-US')} messages of ${MESSAGE_BYTES} B`);
  for (const name of wanted) {
    let broker: BenchBroker;
    try {
      broker = name === 'apache' ? await apache() : await embedded(FSYNC);
    } catch (err) {
      console.log(`\n${name}: not measured — ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    console.log(`\n${broker.name} at ${broker.address}${name === 'embedded' ? ` (fsync=${FSYNC})` : ''}`);
    try {
      results.set(broker.name, await measure(broker));
    } finally {
      await broker.stop();
    }
  }
  clearTimeout(guard);
  printRatios(results);
  console.log(`load average at the end: ${load()} (other processes on the machine skew these figures)`);
}

/** embedded ÷ Apache for each figure: above 1 means the embedded broker is faster (or, for latency, slower). */
function printRatios(results: Map<string, Figures>): void {
  const [ours, theirs] = [results.get('embedded'), results.get('apache-kafka')];
  if (!ours || !theirs) return;
  console.log('\nembedded ÷ Apache Kafka (throughput: above 1 = embedded faster; latency: above 1 = embedded slower)');
  for (const [figure, value] of Object.entries(ours)) {
    const other = theirs[figure];
    if (other) console.log(`  ${figure.padEnd(28)} ${value.toFixed(figure.includes('ms') ? 2 : 0).padStart(10)} vs ${other.toFixed(figure.includes('ms') ? 2 : 0).padStart(10)}   ×${(value / other).toPrecision(3)}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
