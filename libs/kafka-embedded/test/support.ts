import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect, Socket } from 'node:net';
import { Kafka, KafkaConfig, logLevel } from 'kafkajs';
import { BrokerOptions, EmbeddedBroker, startBroker } from '../src';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
  o?: object;
}

/** A logger that keeps lines for assertions instead of printing them. */
export function recordingLogger() {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (msg: string, o?: object) => lines.push({ level: 'info', msg, o }),
    warn: (msg: string, o?: object) => lines.push({ level: 'warn', msg, o }),
    error: (msg: string, o?: object) => lines.push({ level: 'error', msg, o }),
  };
}

export const tempDir = (prefix = 'kafka-embedded-') => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

export async function startTestBroker(options: Partial<BrokerOptions> = {}) {
  const logger = recordingLogger();
  const dataDir = options.dataDir ?? tempDir();
  const broker = await startBroker({ port: 0, initialRebalanceDelayMs: 0, logger, ...options, dataDir });
  return {
    broker,
    logger,
    dataDir,
    async stop() {
      await broker.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Where the client-facing tests run: a fresh embedded broker, or the Kafka named by
 * KAFKA_BROKERS (CI's second phase points it at Apache Kafka). The same assertions run on
 * both, so any behaviour in which this broker differs from Kafka fails a test.
 */
export interface BrokerTarget {
  /** 'embedded', or KAFKA_BROKER_NAME (e.g. 'apache-kafka') for the external one */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly address: string;
  /** A topic or group name of this run only: an external broker keeps them between runs. */
  unique(name: string): string;
  stop(): Promise<void>;
}

const external = () => process.env.KAFKA_BROKERS?.split(',')[0]?.trim() || undefined;

/** The target's name, known before it starts (for describe titles). */
export const targetName = (): string => (external() ? (process.env.KAFKA_BROKER_NAME ?? 'external-kafka') : 'embedded');

let runs = 0;
export async function startTarget(options: Partial<BrokerOptions> = {}): Promise<BrokerTarget> {
  const run = `${process.pid.toString(36)}${(++runs).toString(36)}${Date.now().toString(36).slice(-4)}`;
  const unique = (name: string) => `${name}-${run}`;
  const address = external();
  if (address) {
    const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
    await awaitCoordinators(address);
    return { name: targetName(), host, port, address, unique, stop: async () => undefined };
  }
  const env = await startTestBroker(options);
  return { name: 'embedded', host: env.broker.host, port: env.broker.port, address: env.broker.address, unique, stop: () => env.stop() };
}

// KAFKAJS_LOG=file: every kafkajs client of the tests logs there at debug level, to read why a test failed.
const debugLog = process.env.KAFKAJS_LOG
  ? { logLevel: logLevel.DEBUG, logCreator: () => (e: { level: number; log: object }) => fs.appendFileSync(process.env.KAFKAJS_LOG!, `${JSON.stringify({ level: e.level, ...e.log })}\n`) }
  : { logLevel: logLevel.NOTHING };

/**
 * A cold Kafka answers COORDINATOR_NOT_AVAILABLE and COORDINATOR_LOAD_IN_PROGRESS until its
 * __consumer_offsets and __transaction_state topics are loaded, which can outlast a test's
 * patience; the embedded broker is ready at once. So an external target is warmed up first.
 */
async function awaitCoordinators(address: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'warm-up', brokers: [address], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 2000 } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.describeGroups(['conformance-coordinator-probe']);
  await admin.disconnect();
}

export const kafkaFor = (broker: Pick<EmbeddedBroker, 'address'>, config: Partial<KafkaConfig> = {}) =>
  new Kafka({ clientId: 'test', brokers: [broker.address], ...debugLog, ...config });

/**
 * Fast group settings: Kafka's shortest session (group.min.session.timeout.ms, 6 s), quick
 * heartbeats, short long-polls so disconnects are quick.
 */
export const fastConsumer = {
  sessionTimeout: 6000,
  rebalanceTimeout: 10_000,
  heartbeatInterval: 100,
  maxWaitTimeInMs: 100,
};

/** Polls a condition driven by events elsewhere; fails after `timeoutMs`. */
export async function eventually<T>(probe: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A bare TCP client: sends request frames exactly as given and returns response bodies
 * (after the correlation id), for tests that need to control the bytes on the wire.
 */
export class RawClient {
  private buffered = Buffer.alloc(0);
  private waiters: ((frame: Buffer) => void)[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        this.waiters.shift()?.(frame);
      }
    });
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
  }

  static connect(broker: Pick<EmbeddedBroker, 'host' | 'port'>): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(broker.port, broker.host, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends one frame and resolves with the response frame (correlation id first). */
  request(frame: Buffer): Promise<Buffer> {
    const reply = new Promise<Buffer>((resolve) => this.waiters.push(resolve));
    this.socket.write(frame);
    return reply;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Encodes a kafkajs request definition into a full frame with kafkajs's own encoder. */
export async function kafkajsFrame(
  correlationId: number,
  request: { apiKey: number; apiVersion: number; encode: () => Promise<{ buffer: Buffer }> | { buffer: Buffer } },
): Promise<Buffer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const encodeRequest = require('kafkajs/src/protocol/request');
  const encoder = await encodeRequest({ correlationId, clientId: 'raw-test', request });
  return encoder.buffer as Buffer;
}

/** A magic-v2 record batch encoded by kafkajs's own producer code. */
export async function kafkajsBatch(values: string[], opts: { timestamp?: number; producerId?: number; firstSequence?: number } = {}): Promise<Buffer> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
  const Record = require('kafkajs/src/protocol/recordBatch/record/v0');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const timestamp = opts.timestamp ?? Date.now();
  const batch = await RecordBatch({
    firstTimestamp: timestamp,
    maxTimestamp: timestamp,
    lastOffsetDelta: values.length - 1,
    producerId: opts.producerId ?? -1,
    firstSequence: opts.firstSequence ?? 0,
    records: values.map((value, i) => Record({ offsetDelta: i, value: Buffer.from(value) })),
  });
  return Buffer.from(batch.buffer as Buffer);
}
