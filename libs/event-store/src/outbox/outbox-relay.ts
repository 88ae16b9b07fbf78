import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { publishInTrace } from '@homeline/telemetry';
import { consoleLogger, type StoreLogger } from '../logger';
import { adoptTransactionIds } from '../store/transaction-ids';
import type { Checkpoint, RecordedEvent } from '../store/types';
import { AppendSignal } from '../wakeup/append-signal';
import { groupByTopic, topicBySource } from './kafka-message';
import { ensureRelayCheckpoint, readRelayCheckpoint } from './relay-checkpoint';
import { readNextBatch } from './relay-read';

export interface OutboxRelayOptions {
  readonly dataSource: DataSource;
  readonly kafka: Kafka;
  /** Checkpoint name; relays sharing a name share the work (one publishes at a time). */
  readonly name?: string;
  readonly topicFor?: (event: RecordedEvent) => string;
  /**
   * The Kafka key (default: the stream id). Kafka orders by key, so a service whose one process
   * spans several streams (routing: a call's decision and its carrier legs) keys them by what
   * must stay in order, e.g. the correlation id; each stream's events must then share that key.
   */
  readonly keyFor?: (event: RecordedEvent) => string;
  readonly batchSize?: number;
  /** Safety-net poll; also how often a standby instance tries to take over. */
  readonly pollIntervalMs?: number;
  readonly logger?: StoreLogger;
  /** Told of each published batch (metrics: publish delay, relay lag). */
  readonly onPublished?: (events: readonly RecordedEvent[], publishedAt: number) => void;
  /**
   * Runs after Kafka acknowledged a batch and before its checkpoint is recorded.
   * For fault injection in tests (a crash here must cause duplicates, never losses).
   */
  readonly beforeCheckpoint?: (events: readonly RecordedEvent[]) => Promise<void> | void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type BatchOutcome = 'published-full' | 'published' | 'held-back' | 'idle' | 'locked-elsewhere';

/**
 * Publishes committed events to Kafka in store order, after their transaction commits
 * (docs/architecture.md section 4). One instance per name leads, holding a session lock on its
 * listening connection (AppendSignal.holdLock); it keeps its
 * checkpoint in memory and records it in the same statement that reads the next batch, so a
 * batch costs one database round trip and one Kafka request. A crash between Kafka's ack and that
 * record republishes the batch: consumers' inboxes make that harmless; nothing is ever lost.
 */
export class OutboxRelay {
  private readonly name: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly signal: AppendSignal;
  private producer: Producer | undefined;
  private loop: Promise<void> | undefined;
  private running = false;
  /** Published up to here; `saved` is what the table holds. */
  private checkpoint: Checkpoint | undefined;
  private saved: Checkpoint | undefined;
  private cycle: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: OutboxRelayOptions) {
    this.name = options.name ?? 'default';
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.signal = new AppendSignal(options.dataSource, this.pollIntervalMs);
  }

  async start(): Promise<void> {
    await ensureRelayCheckpoint(this.options.dataSource.manager, this.name);
    // A store restored from a logical copy carries another server's transaction ids: renumbered
    // first, or nothing appended here would ever sort after the checkpoint (adoptTransactionIds).
    const renumbered = await adoptTransactionIds(this.options.dataSource);
    if (renumbered > 0) {
      this.checkpoint = this.saved = undefined;
      (this.options.logger ?? consoleLogger).warn(
        { relay: this.name, events: renumbered },
        "the store held transaction ids of another server (restored from a logical copy?): renumbered, checkpoints included",
      );
    }
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
    await this.serialised(() => this.saveCheckpoint()).catch((error) =>
      this.options.logger?.warn({ relay: this.name, error: String(error) }, 'could not record the relay checkpoint on stop'),
    );
    await this.signal.stop();
    await this.producer?.disconnect();
  }

  /** Publishes one batch; exposed so a caller (or test) can drive the relay step by step. */
  publishBatch(): Promise<BatchOutcome> {
    return this.serialised(() => this.publishOnce());
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.cycle.then(work, work);
    this.cycle = next.catch(() => undefined);
    return next;
  }

  private async publishOnce(): Promise<BatchOutcome> {
    const producer = this.producer;
    if (!producer) throw new Error('relay not started');
    if (!(await this.signal.holdLock(`es-relay:${this.name}`))) {
      this.checkpoint = this.saved = undefined; // another instance moves it now: re-read on taking over
      return 'locked-elsewhere';
    }
    this.checkpoint ??= this.saved = await readRelayCheckpoint(this.options.dataSource.manager, this.name);
    const batch = await readNextBatch(this.options.dataSource, this.name, this.checkpoint!, this.unsaved(), this.batchSize);
    this.saved = this.checkpoint;
    if (batch.events.length === 0) return batch.heldBack ? 'held-back' : 'idle';
    const topicFor = this.options.topicFor ?? topicBySource;
    // Each message is published in the trace its event was appended in (a span per message when exporting).
    await publishInTrace(groupByTopic(batch.events, topicFor, this.options.keyFor), (topicMessages) =>
      producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None }),
    );
    this.options.onPublished?.(batch.events, Date.now());
    await this.options.beforeCheckpoint?.(batch.events);
    this.checkpoint = batch.checkpoint;
    return batch.events.length === this.batchSize ? 'published-full' : 'published';
  }

  private unsaved(): Checkpoint | undefined {
    const { checkpoint, saved } = this;
    return checkpoint && (!saved || checkpoint.position !== saved.position || checkpoint.transactionId !== saved.transactionId) ? checkpoint : undefined;
  }

  private async saveCheckpoint(): Promise<void> {
    const unsaved = this.unsaved();
    if (!unsaved) return;
    await readNextBatch(this.options.dataSource, this.name, unsaved, unsaved, 0);
    this.saved = unsaved;
  }

  private async run(): Promise<void> {
    let heldBackFor = 0;
    while (this.running) {
      let outcome: BatchOutcome;
      try {
        outcome = await this.publishBatch();
      } catch (error) {
        (this.options.logger ?? consoleLogger).warn({ relay: this.name, error: String(error) }, 'outbox relay batch failed; retrying');
        this.checkpoint = undefined; // re-read what the table holds: never skip what Kafka may not have
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
