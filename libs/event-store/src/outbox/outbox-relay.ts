import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { consoleLogger, type StoreLogger } from '../logger';
import { readCommittedAfter } from '../store/read';
import type { RecordedEvent } from '../store/types';
import { AppendSignal } from '../wakeup/append-signal';
import { groupByTopic, topicBySource } from './kafka-message';
import { ensureRelayCheckpoint, lockRelayCheckpoint, saveRelayCheckpoint } from './relay-checkpoint';

export interface OutboxRelayOptions {
  readonly dataSource: DataSource;
  readonly kafka: Kafka;
  /** Checkpoint name; relays sharing a name share the work (one publishes at a time). */
  readonly name?: string;
  readonly topicFor?: (event: RecordedEvent) => string;
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  readonly logger?: StoreLogger;
  /**
   * Runs after Kafka acknowledged a batch and before its checkpoint commits.
   * For fault injection in tests (a crash here must cause duplicates, never losses).
   */
  readonly beforeCheckpoint?: (events: readonly RecordedEvent[]) => Promise<void> | void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type BatchOutcome = 'published-full' | 'published' | 'held-back' | 'idle' | 'locked-elsewhere';

/**
 * Publishes committed events to Kafka in store order, after their transaction commits.
 * Each batch runs in a transaction holding the relay's checkpoint row lock, so among several
 * instances exactly one publishes at a time; the checkpoint moves only after Kafka acked.
 */
export class OutboxRelay {
  private readonly name: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly signal: AppendSignal;
  private producer: Producer | undefined;
  private loop: Promise<void> | undefined;
  private running = false;

  constructor(private readonly options: OutboxRelayOptions) {
    this.name = options.name ?? 'default';
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.signal = new AppendSignal(options.dataSource, this.pollIntervalMs);
  }

  async start(): Promise<void> {
    await ensureRelayCheckpoint(this.options.dataSource.manager, this.name);
    // The default partitioner is Java-compatible murmur2: the same key lands on the same partition as with any Kafka client.
    this.producer = this.options.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await this.producer.connect();
    await this.signal.start();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.signal.wake();
    await this.loop;
    await this.signal.stop();
    await this.producer?.disconnect();
  }

  /** Publishes one batch; exposed so a caller (or test) can drive the relay step by step. */
  async publishBatch(): Promise<BatchOutcome> {
    const producer = this.producer;
    if (!producer) throw new Error('relay not started');
    return this.options.dataSource.transaction(async (manager) => {
      const checkpoint = await lockRelayCheckpoint(manager, this.name);
      if (!checkpoint) return 'locked-elsewhere';
      const batch = await readCommittedAfter(manager, checkpoint, this.batchSize);
      if (batch.events.length === 0) return batch.heldBack ? 'held-back' : 'idle';
      const topicFor = this.options.topicFor ?? topicBySource;
      await producer.sendBatch({
        topicMessages: groupByTopic(batch.events, topicFor),
        acks: -1,
        compression: CompressionTypes.None,
      });
      await this.options.beforeCheckpoint?.(batch.events);
      await saveRelayCheckpoint(manager, this.name, batch.checkpoint);
      return batch.events.length === this.batchSize ? 'published-full' : 'published';
    });
  }

  private async run(): Promise<void> {
    let heldBackFor = 0;
    while (this.running) {
      let outcome: BatchOutcome;
      try {
        outcome = await this.publishBatch();
      } catch (error) {
        (this.options.logger ?? consoleLogger).warn({ relay: this.name, error: String(error) }, 'outbox relay batch failed; retrying');
        await sleep(this.pollIntervalMs); // back off instead of spinning on every notification
        outcome = 'idle';
      }
      // Events committed behind an older, still-running transaction: look again within milliseconds
      // (backing off to 5 ms), instead of waiting for a notification that may never come.
      heldBackFor = outcome === 'held-back' ? heldBackFor + 1 : 0;
      if (outcome === 'held-back') await sleep(Math.min(5, heldBackFor));
      else if (outcome !== 'published-full' && this.running) await this.signal.next();
    }
  }
}
