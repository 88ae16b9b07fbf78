import { dlqTopic, Headers, type ParseResult } from '@homeline/contracts';
import {
  Partitioners, type Consumer, type ConsumerConfig, type EachBatchPayload, type Kafka, type KafkaMessage,
  type Producer,
} from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { consumeBatchInTrace, headerText, registerConsumer, reportDeadLetter } from '@homeline/telemetry';
import { consoleLogger, type StoreLogger } from '../logger';
import { backoffMs, isPoisonMessage, isTransientFailure } from '../store/failures';
import { GroupCommit } from '../store/group-commit';
import { UnitOfWork } from '../store/unit-of-work';
import { recordInInbox, seenInInbox } from './inbox';
import { classifyMessage, toDeadLetter, type DeadLetterCode } from './incoming-message';

/** One new event of a batch, with where it came from. */
export interface ConsumedEvent<T> {
  readonly event: T;
  /** The W3C trace context the producer appended it in: the effects continue that trace. */
  readonly traceparent: string | null;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** When the broker stored it (ms since the epoch). */
  readonly timestamp: number;
}

export type BatchHandler<T> = (
  events: readonly ConsumedEvent<T>[],
  tx: EntityManager,
  /** Runs `hook` once the batch's transaction has committed (never if it fails), e.g. to wake a local worker. */
  afterCommit: (hook: () => void) => void,
) => Promise<void>;
/** A batch handled as one unit of work: reads, then one statement with its writes and inbox rows. */
export type UnitHandler<T> = (events: readonly ConsumedEvent<T>[], uow: UnitOfWork) => Promise<void>;

/** Hooks for metrics (the platform wires Prometheus). */
export interface ConsumerInstrumentation {
  consumed?(consumer: string, event: ConsumedEvent<{ readonly occurredAt?: string }>): void;
  retried?(consumer: string, transient: boolean): void;
  /** Every fetch the consumer made: those that brought messages and those that waited out. */
  fetched?(consumer: string): void;
}

export interface InboxConsumerOptions<T extends { readonly id: string; readonly type: string }> {
  readonly kafka: Kafka;
  readonly dataSource: DataSource;
  readonly groupId: string;
  readonly topics: readonly string[];
  /** The event types (after upcasting) this consumer acts on; other known types cost no round trip. */
  readonly handles: readonly string[] | 'all';
  /** Of the handled types, the valid events it acts on (see Classifier.acts); others cost no round trip. */
  readonly acts?: (event: T) => boolean;
  /** Validates a message (envelope, upcast, data); default: the contracts' parser. */
  readonly parse?: (raw: unknown) => ParseResult<T>;
  /** Types that may travel on the topics at all (others are dead-lettered); default: the contracts'. */
  readonly isKnownType?: (type: string) => boolean;
  /** See Classifier.storesAnyText: by default an event with text PostgreSQL cannot store is dead-lettered. */
  readonly storesAnyText?: boolean;
  /**
   * Effects of the batch's new events (never seen before by this consumer), in order, in the one
   * transaction that also records their ids in the inbox. Throw PoisonMessage to dead-letter one
   * event; any other failure retries the batch (with backoff) and never dead-letters.
   */
  readonly handleBatch?: BatchHandler<T>;
  /**
   * Instead of handleBatch: the batch's effects staged in a unit of work (CommandHandler.stage,
   * uow.also) and written with its inbox rows in ONE statement, no transaction around it — two or
   * three round trips per batch instead of six or more. Same failure rules as handleBatch.
   */
  readonly handleAsUnit?: UnitHandler<T>;
  /** Inbox key; defaults to the group id. */
  readonly consumerName?: string;
  /**
   * The handler is itself idempotent on the event id (e.g. it inserts keyed by it): no inbox rows
   * are kept, and a redelivered event reaches the handler again (only duplicates within a batch are dropped).
   */
  readonly idempotentHandler?: boolean;
  /**
   * With `idempotentHandler`: false runs `handleBatch` on the pool, each statement on its own,
   * for a handler whose writes are each idempotent and need no atomicity (the audit's staging):
   * a batch then costs its statements and no BEGIN/COMMIT. Default true.
   */
  readonly transactional?: boolean;
  readonly fromBeginning?: boolean;
  readonly consumerConfig?: Omit<ConsumerConfig, 'groupId'>;
  /**
   * Partitions taken at the same time (default 3); order within a partition is kept. The batches
   * one fetch brings are applied in one transaction (or unit of work) together.
   */
  readonly partitionsConsumedConcurrently?: number;
  /**
   * How often processed offsets are committed to Kafka (default 1000 ms, and always on stop). The
   * inbox makes a redelivery after a crash harmless, so committing per batch would only cost a
   * round trip per batch.
   */
  readonly commitIntervalMs?: number;
  /**
   * After a fetch that brought messages, the next fetch waits until this long after it (default
   * 0: at once). Messages that come one by one meanwhile then arrive together, in one batch,
   * while an idle consumer still makes one long-polling fetch per wait (`maxWaitTimeInMs`). For
   * a consumer off a call's path (the audit): on the path, the wait would add to every call.
   */
  readonly paceMs?: number;
  readonly logger?: StoreLogger;
  readonly instrumentation?: ConsumerInstrumentation;
}

interface Dead {
  readonly message: KafkaMessage;
  readonly code: DeadLetterCode;
  readonly reason: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();
/** A heartbeat refused because the group is rebalancing or this member has left it (kafkajs' isRebalancing, and an eviction). */
const isRebalancing = (error: unknown): boolean =>
  ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR_FOR_GROUP', 'UNKNOWN_MEMBER_ID'].includes((error as { type?: string }).type ?? '');
/** W3C trace context, version 00's shape: anything else (a NUL, a megabyte) is dropped, not stored with the effects. */
const traceparentShape = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const traceparentOf = (message: KafkaMessage): string | null => {
  const value = headerText(message.headers, Headers.traceparent);
  return value !== undefined && traceparentShape.test(value) ? value : null;
};

/**
 * Consumes with an inbox: the new events of a Kafka batch are applied in ONE database transaction
 * that also records their ids, so a redelivered event has no second effect; offsets are committed
 * only after that transaction. Messages are sorted before any database work (incoming-message.ts):
 * types this consumer ignores are skipped, invalid ones go to `<topic>.dlq` with the reason and
 * the consumer group. A transient failure (lost race, dropped connection) retries the batch.
 */
export class InboxConsumer<T extends { readonly id: string; readonly type: string }> {
  private readonly consumer: Consumer;
  private readonly dlqProducer: Producer;
  private readonly name: string;
  private readonly handles: ReadonlySet<string> | 'all';
  private readonly logger: StoreLogger;
  /** Offsets processed but not yet committed, per "topic/partition". */
  private readonly pending = new Map<string, { topic: string; partition: number; offset: string }>();
  private lastCommit = 0;
  /** When the last fetch returned (paceMs). */
  private lastFetch = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Who restarts this consumer when it crashes; kafkajs does, when nobody. */
  private died: ((error: unknown) => void) | undefined;
  /**
   * The batches of the partitions one fetch brought, applied together: kafkajs hands them to the
   * handler in the same turn of the event loop, and one transaction (or unit of work) for all of
   * them costs the round trips of one. A merged batch that fails is applied partition by
   * partition (GroupCommit), so a poison message or a retry stays with its own partition.
   */
  private readonly partitions = new GroupCommit(async (batches: readonly (readonly ConsumedEvent<T>[])[]) => {
    await this.applyTogether(batches.flat());
    return batches.map(() => undefined);
  });

  constructor(private readonly options: InboxConsumerOptions<T>) {
    if (!options.handleBatch === !options.handleAsUnit) throw new Error('an inbox consumer takes exactly one of handleBatch, handleAsUnit');
    this.name = options.consumerName ?? options.groupId;
    this.handles = options.handles === 'all' ? 'all' : new Set(options.handles);
    this.logger = options.logger ?? consoleLogger;
    // A replica killed -9 holds its partitions until its session times out: 10 s (kafkajs: 30 s) keeps
    // that pause shorter than a call's deadlines, so the survivors take over its calls in time.
    this.consumer = options.kafka.consumer({
      maxWaitTimeInMs: 1000,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      ...options.consumerConfig,
      // Started with a `died` callback, the consumer does not restart itself after a crash (on a
      // timer of up to 30 s, and never after a crash kafkajs deems final): its starter does.
      retry: { ...options.consumerConfig?.retry, restartOnFailure: async () => this.died === undefined },
      groupId: options.groupId,
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      const died = this.died;
      if (payload.restart || this.stopping || !died) return;
      this.died = undefined;
      died(payload.error);
    });
    this.dlqProducer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    registerConsumer(options.kafka, { groupId: options.groupId, consumer: this.name, topics: options.topics }); // consumer-lag metrics
    this.consumer.on(this.consumer.events.FETCH, () => {
      this.lastFetch = Date.now();
      options.instrumentation?.fetched?.(this.name);
    });
  }

  /** `died` is told when the consumer crashed and stopped for good (it is then for the caller to stop and start it again). */
  async start(died?: (error: unknown) => void): Promise<void> {
    this.stopping = false;
    this.died = died;
    // Offsets a crashed run processed and could not commit belong to its generation of the group; the inbox covers their redelivery.
    this.pending.clear();
    await this.dlqProducer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.flushTimer);
    await this.flush().catch((error) => this.logger.warn({ consumer: this.name, error: String(error) }, 'offset commit on stop failed'));
    await this.consumer.disconnect();
    await this.flush().catch(() => undefined); // batches that finished while stopping commit their own offsets
    await this.dlqProducer.disconnect();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    if (batch.messages.length === 0) return;
    const source = { topic: batch.topic, partition: batch.partition, consumerGroup: this.options.groupId };
    const events: ConsumedEvent<T>[] = [];
    const dead: Dead[] = [];
    for (const message of batch.messages) {
      const incoming = classifyMessage(message, { handles: this.handles, acts: this.options.acts, parse: this.options.parse, isKnownType: this.options.isKnownType, storesAnyText: this.options.storesAnyText }, batch.topic);
      if (incoming.kind === 'event') {
        events.push({
          event: incoming.event, traceparent: traceparentOf(message), topic: batch.topic, partition: batch.partition,
          offset: message.offset, timestamp: Number(message.timestamp),
        });
      } else if (incoming.kind === 'dead') dead.push({ message, code: incoming.code, reason: incoming.reason });
    }
    const poisoned = await this.applyUntilDone(events, { heartbeat, keepGoing: () => isRunning() && !isStale() && !this.stopping });
    if (poisoned === 'abandoned') return; // stopping or rebalanced: the batch is redelivered to whoever owns it next
    dead.push(...poisoned.map((p) => ({ message: batch.messages.find((m) => m.offset === p.offset)!, code: 'poison' as const, reason: p.reason })));
    if (dead.length) await this.deadLetter(dead, source);
    const last = batch.messages[batch.messages.length - 1].offset;
    resolveOffset(last);
    this.pending.set(`${batch.topic}/${batch.partition}`, { topic: batch.topic, partition: batch.partition, offset: nextOffset(last) });
    await this.commitIfDue(payload);
    await heartbeat();
    // Measured from the fetch, not from this batch: the batches of one fetch wait once, together.
    const pause = this.lastFetch + (this.options.paceMs ?? 0) - Date.now();
    if (pause > 0 && !this.stopping) await sleep(pause);
  }

  /**
   * Applies the events in one transaction, again and again while it fails: a poison message is
   * taken out (and returned, to be dead-lettered), any other failure waits with backoff and
   * retries the whole batch. Returns 'abandoned' when the consumer stops, loses the partition, or
   * its group rebalances while it retries.
   */
  private async applyUntilDone(
    events: readonly ConsumedEvent<T>[],
    run: { heartbeat(): Promise<void>; keepGoing(): boolean },
  ): Promise<{ offset: string; reason: string }[] | 'abandoned'> {
    let remaining = events;
    const poisoned: { offset: string; reason: string }[] = [];
    for (let attempt = 1; remaining.length > 0; attempt++) {
      if (!run.keepGoing()) return 'abandoned';
      try {
        await this.partitions.submit(remaining);
        break;
      } catch (error) {
        const culprit = isPoisonMessage(error) ? remaining.find((e) => e.event.id === error.eventId) : undefined;
        if (culprit && isPoisonMessage(error)) {
          poisoned.push({ offset: culprit.offset, reason: `${error.reason}: ${error.message}` });
          remaining = remaining.filter((e) => e !== culprit);
          attempt = 0;
          continue;
        }
        const transient = isTransientFailure(error);
        this.options.instrumentation?.retried?.(this.name, transient);
        const details = { consumer: this.name, attempt, events: remaining.length, error: error instanceof Error ? error.message : String(error) };
        if (!transient) (this.logger.error ?? this.logger.warn).call(this.logger, details, 'batch failed for an unexpected reason; retrying (never dead-lettered)');
        else if (attempt >= 3) this.logger.warn(details, 'batch keeps failing transiently; retrying');
        // The group is rebalancing (a member joined or left): let the batch go, or every member waits for
        // this one until the rebalance times out; whoever owns the partition next gets it again.
        if (await run.heartbeat().then(() => false, isRebalancing)) return 'abandoned';
        await sleep(backoffMs(attempt, 10, 5_000));
      }
    }
    for (const e of events) if (!poisoned.some((p) => p.offset === e.offset)) this.options.instrumentation?.consumed?.(this.name, e as never);
    return poisoned;
  }

  /** Applies the events (of one or more partitions' batches) as one transaction, or one unit of work. */
  private async applyTogether(events: readonly ConsumedEvent<T>[]): Promise<void> {
    if (this.options.handleAsUnit) return this.applyAsUnit(events, this.options.handleAsUnit);
    const hooks: (() => void)[] = [];
    const apply = (tx: EntityManager) => this.apply(tx, events, (hook) => hooks.push(hook));
    if (this.options.transactional === false && this.options.idempotentHandler) await apply(this.options.dataSource.manager);
    else await this.options.dataSource.transaction(apply);
    for (const hook of hooks) hook();
  }

  private async apply(tx: EntityManager, events: readonly ConsumedEvent<T>[], afterCommit: (hook: () => void) => void): Promise<void> {
    const fresh = this.options.idempotentHandler
      ? new Set(events.map((e) => e.event.id))
      : await recordInInbox(tx, this.name, events.map((e) => e.event.id));
    // Already processed, or a duplicate within this batch: only the first copy of a new id acts.
    const firstCopies = events.filter((e) => fresh.delete(e.event.id));
    if (firstCopies.length > 0) await this.inTraceOf(firstCopies, () => this.options.handleBatch!(firstCopies, tx, afterCommit));
  }

  /**
   * Lets the handler stage the batch and writes it, with its inbox rows, in one statement. A
   * redelivered event is rare (a crash, a rebalance), so the inbox is not read first: the
   * statement's inbox rows refuse an event already processed (es_inbox_pkey) and nothing is
   * written. Then, or after any other failure of that attempt, the batch runs again the careful
   * way: read what the inbox has seen and stage only the rest. A handler's verdict on an event
   * already processed (a PoisonMessage, say) therefore never counts.
   */
  private async applyAsUnit(events: readonly ConsumedEvent<T>[], handle: UnitHandler<T>): Promise<void> {
    const ids = new Set<string>();
    const firstCopies = events.filter((e) => !ids.has(e.event.id) && (ids.add(e.event.id), true)); // a duplicate within the batch acts once
    try {
      await this.stageAndCommit(firstCopies, handle);
      return;
    } catch {
      // Already processed, a lost race or a poison message: decided below, on what the inbox holds.
    }
    const seen = await seenInInbox(this.options.dataSource.manager, this.name, [...ids]);
    const unseen = firstCopies.filter((e) => !seen.has(e.event.id));
    if (unseen.length > 0) await this.stageAndCommit(unseen, handle);
  }

  private async stageAndCommit(events: readonly ConsumedEvent<T>[], handle: UnitHandler<T>): Promise<void> {
    const uow = new UnitOfWork(this.options.dataSource.manager, { consumer: this.name, eventIds: events.map((e) => e.event.id) });
    await this.inTraceOf(events, () => handle(events, uow));
    await uow.commit();
  }

  /**
   * The batch is handled set-based in the trace of its first message (when exporting, a consumer
   * span per message, in that message's trace); every event it appends carries the trace of the
   * event that caused it, whatever the active one.
   */
  private inTraceOf<R>(events: readonly ConsumedEvent<T>[], work: () => Promise<R>): Promise<R> {
    const [first, ...rest] = events.map((e) => ({
      topic: e.topic, partition: e.partition, offset: e.offset, consumerGroup: this.options.groupId,
      headers: e.traceparent ? { traceparent: e.traceparent } : {},
    }));
    return consumeBatchInTrace([first, ...rest], work);
  }

  private async commitIfDue(payload: EachBatchPayload): Promise<void> {
    const interval = this.options.commitIntervalMs ?? 1000;
    if (!this.stopping && payload.isRunning() && Date.now() - this.lastCommit < interval) {
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = undefined;
        void this.flush().catch((error) => this.logger.warn({ consumer: this.name, error: String(error) }, 'offset commit failed; will retry'));
      }, interval);
      return;
    }
    const offsets = this.takePending();
    if (offsets.length) await payload.commitOffsetsIfNecessary({ topics: groupByTopic(offsets) });
  }

  private async flush(): Promise<void> {
    const offsets = this.takePending();
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      for (const o of offsets) if (!this.pending.has(`${o.topic}/${o.partition}`)) this.pending.set(`${o.topic}/${o.partition}`, o);
      throw error;
    }
  }

  private takePending(): { topic: string; partition: number; offset: string }[] {
    this.lastCommit = Date.now();
    const offsets = [...this.pending.values()];
    this.pending.clear();
    return offsets;
  }

  private async deadLetter(dead: readonly Dead[], source: { topic: string; partition: number; consumerGroup: string }): Promise<void> {
    const sorted = [...dead].sort((a, b) => (BigInt(a.message.offset) < BigInt(b.message.offset) ? -1 : 1));
    await this.dlqProducer.send({ topic: dlqTopic(source.topic), messages: sorted.map((d) => toDeadLetter(d.message, source, d)), acks: -1 });
    for (const d of sorted) {
      reportDeadLetter(this.options.kafka, { consumer: this.name, topic: source.topic, reason: d.reason, code: d.code });
      this.logger.warn({ consumer: this.name, topic: source.topic, partition: source.partition, offset: d.message.offset, code: d.code, reason: d.reason }, 'message dead-lettered');
    }
  }
}

const groupByTopic = (offsets: readonly { topic: string; partition: number; offset: string }[]) => {
  const topics = new Map<string, { partition: number; offset: string }[]>();
  for (const { topic, partition, offset } of offsets) topics.set(topic, [...(topics.get(topic) ?? []), { partition, offset }]);
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
};
