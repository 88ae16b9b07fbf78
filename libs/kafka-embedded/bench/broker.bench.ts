// npm run bench:broker — throughput and latency of the embedded broker with kafkajs.
// The broker runs as its own process (as `npm run broker` would); clients run here.
// Env: BENCH_MESSAGES (default 200000), BENCH_FSYNC (always|interval|never, default interval),
//      BENCH_LATENCY_SECONDS (default 10), BENCH_PRODUCERS (default "1,2": one run per count).
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { Kafka, logLevel } from 'kafkajs';

const ROOT = path.resolve(__dirname, '../../..');
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

async function startBroker(dataDir: string): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'tools/register.js'), path.join(ROOT, 'libs/kafka-embedded/src/cli.ts'), '--port', '0', '--data-dir', dataDir, '--fsync', FSYNC, '--initial-rebalance-delay-ms', '0', '--partitions', '3'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const address = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /listening on (\S+)/.exec(line);
      if (m) resolve(m[1]);
    });
  });
  return { child, address };
}

const rate = (count: number, ms: number) => {
  const perSec = (count * 1000) / ms;
  return `${Math.round(perSec).toLocaleString('en-US')} msg/s, ${((perSec * MESSAGE_BYTES) / 1024 / 1024).toFixed(1)} MiB/s`;
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Producers run in worker threads; each sends its share of MESSAGES and they start together. */
async function produceThroughput(address: string, topic: string, producers: number): Promise<number> {
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
  return count + producers;
}

async function consumeThroughput(kafka: Kafka, topic: string, expected: number): Promise<void> {
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
}

async function latency(kafka: Kafka, topic: string): Promise<void> {
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
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-embedded-bench-'));
  const { child, address } = await startBroker(dataDir);
  const guard = setTimeout(() => {
    console.error('benchmark took too long, stopping');
    child.kill('SIGKILL');
    process.exit(1);
  }, 300_000);
  try {
    const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
    console.log(`kafka-embedded bench: broker ${address} (fsync=${FSYNC}), ${os.cpus().length} cores, node ${process.version}, load average ${load()}`);
    const kafka = new Kafka({ clientId: 'bench', brokers: [address], logLevel: logLevel.NOTHING });
    if (process.env.BENCH_SKIP_THROUGHPUT !== '1') {
      let stored = 0;
      for (const producers of PRODUCERS) stored += await produceThroughput(address, 'bench-throughput', producers);
      await consumeThroughput(kafka, 'bench-throughput', stored);
    }
    await latency(kafka, 'bench-latency');
    console.log(`load average at the end: ${load()} (other processes on the machine skew these figures)`);
  } finally {
    clearTimeout(guard);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
