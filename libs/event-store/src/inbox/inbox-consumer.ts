import { dlqTopic } from '@homeline/contracts';
import { Partitioners, type Consumer, type ConsumerConfig, type EachBatchPayload, type IHeaders, type Kafka, type KafkaMessage, type Message, type Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import type { ZodType } from 'zod';
import { consoleLogger, type StoreLogger } from '../logger';
import { recordInInbox } from './inbox';
import { parseMessage, toDeadLetter } from './incoming-message';

export interface MessageContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: IHeaders;
}

export type InboxHandler<T> = (event: T, manager: EntityManager, context: MessageContext) => Promise<void>;

export interface InboxConsumerOptions<T extends { readonly id: string }> {
  readonly kafka: Kafka;
  readonly dataSource: DataSource;
  readonly groupId: string;
  readonly topics: readonly string[];
  /** One schema for every message (e.g. the envelope, or a union of the events consumed). */
  readonly schema: ZodType<T>;
  /** Effects of one event; runs in the batch's transaction, once per event id. */
  readonly handle: InboxHandler<T>;
  /** Inbox key; defaults to the group id. */
  readonly consumerName?: string;
  readonly fromBeginning?: boolean;
  readonly consumerConfig?: Omit<ConsumerConfig, 'groupId'>;
  /**
   * Partitions whose batches are applied at the same time, each in its own transaction (default 3).
   * Order within a partition is kept; the time a batch spends on database round trips is what
   * limits a consumer, not CPU, so partitions should not wait for each other.
   */
  readonly partitionsConsumedConcurrently?: number;
  readonly logger?: StoreLogger;
}

interface BatchSource { readonly topic: string; readonly partition: number; heartbeat(): Promise<void> }
interface Valid<T> { readonly message: KafkaMessage; readonly event: T }
interface Rejected { readonly message: KafkaMessage; readonly reason: string }

/** A handler threw: only that message is dead-lettered, the batch is retried without it. */
class HandlerFailed extends Error {
  constructor(override readonly cause: unknown) {
    super(`handler failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();

/**
 * Consumes with an inbox: each Kafka batch is applied in ONE database transaction that also
 * records every event id, so a redelivered event has no second effect; offsets are committed
 * only after that transaction. A message failing its schema (or whose handler throws) goes to
 * `<topic>.dlq` with the reason in `dlq-reason`, and the consumer moves on.
 */
export class InboxConsumer<T extends { readonly id: string }> {
  private readonly consumer: Consumer;
  private readonly dlqProducer: Producer;
  private readonly name: string;

  constructor(private readonly options: InboxConsumerOptions<T>) {
    this.name = options.consumerName ?? options.groupId;
    this.consumer = options.kafka.consumer({ ...options.consumerConfig, groupId: options.groupId });
    this.dlqProducer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  }

  async start(): Promise<void> {
    await this.dlqProducer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.dlqProducer.disconnect();
  }

  private async onBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const source = { topic: batch.topic, partition: batch.partition };
    const valid: Valid<T>[] = [];
    const rejected: Rejected[] = [];
    for (const message of batch.messages) {
      const parsed = parseMessage(message.value, this.options.schema);
      if (parsed.ok) valid.push({ message, event: parsed.event });
      else rejected.push({ message, reason: parsed.reason });
    }
    rejected.push(...(await this.applyAll(valid, { ...source, heartbeat })));
    if (rejected.length) await this.deadLetter(rejected, source);
    const last = batch.messages[batch.messages.length - 1].offset;
    resolveOffset(last);
    await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: nextOffset(last) }] }] });
    await heartbeat();
  }

  /** Applies the batch in one transaction; if a handler throws, isolates it message by message. */
  private async applyAll(valid: readonly Valid<T>[], source: BatchSource): Promise<Rejected[]> {
    if (valid.length === 0) return [];
    try {
      await this.options.dataSource.transaction((manager) => this.apply(manager, valid, source));
      return [];
    } catch (error) {
      if (!(error instanceof HandlerFailed)) throw error; // database trouble: kafkajs retries the batch
    }
    const failed: Rejected[] = [];
    for (const item of valid) {
      try {
        await this.options.dataSource.transaction((manager) => this.apply(manager, [item], source));
      } catch (error) {
        if (!(error instanceof HandlerFailed)) throw error;
        failed.push({ message: item.message, reason: error.message });
      }
    }
    return failed;
  }

  private async apply(manager: EntityManager, items: readonly Valid<T>[], source: BatchSource): Promise<void> {
    const fresh = await recordInInbox(manager, this.name, items.map((i) => i.event.id));
    for (const { message, event } of items) {
      if (!fresh.delete(event.id)) continue; // already processed, or a duplicate within this batch
      const context = { topic: source.topic, partition: source.partition, offset: message.offset, headers: (message.headers ?? {}) as IHeaders };
      try {
        await this.options.handle(event, manager, context);
      } catch (error) {
        throw new HandlerFailed(error);
      }
      await source.heartbeat(); // a long batch must not cost the group membership
    }
  }

  private async deadLetter(rejected: readonly Rejected[], source: { topic: string; partition: number }): Promise<void> {
    const messages: Message[] = [...rejected]
      .sort((a, b) => (BigInt(a.message.offset) < BigInt(b.message.offset) ? -1 : 1))
      .map((r) => toDeadLetter(r.message, source, r.reason));
    await this.dlqProducer.send({ topic: dlqTopic(source.topic), messages, acks: -1 });
    for (const r of rejected) {
      (this.options.logger ?? consoleLogger).warn(
        { consumer: this.name, ...source, offset: r.message.offset, reason: r.reason },
        'message dead-lettered',
      );
    }
  }
}
