import { envelopeSchema, Headers } from '@homeline/contracts';
import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncHooksContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { DataSource, QueryRunner } from 'typeorm';
import { appendToStream, OutboxRelay, readRelayCheckpoint } from '../src';
import { effects, effectsTable, countingConsumer } from './support/effects';
import { eventually, startTestKafka, startTestPostgres, type TestKafka, type TestPostgres } from './support/infrastructure';
import { header, messagesIn, observe } from './support/kafka-observer';
import { openStoreDatabase } from './support/store-database';

const source = 'calls' as const;
const noted = (n: number) => ({ type: 'Noted', data: { n } });

describe('the outbox relay', () => {
  let pg: TestPostgres;
  let kafka: TestKafka;

  beforeAll(async () => {
    [pg, kafka] = await Promise.all([startTestPostgres(), startTestKafka()]);
  });
  afterAll(async () => {
    await kafka?.stop();
    await pg?.stop();
  });

  const withStore = async (work: (db: DataSource) => Promise<void>) => {
    const db = await openStoreDatabase(pg);
    try {
      await work(db);
    } finally {
      await db.destroy();
    }
  };

  it('publishes each committed event keyed by its stream, as an envelope with its type and trace headers', () =>
    withStore(async (db) => {
      const topic = 'relay.shape';
      const contextManager = new AsyncHooksContextManager().enable();
      context.setGlobalContextManager(contextManager);
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      const traced = trace.setSpanContext(context.active(), {
        traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED,
      });
      await context.with(traced, () => appendToStream(db.manager, 'call-1', [noted(1), noted(2)], { expectedVersion: 0, source }));
      propagation.disable();
      context.disable();

      const relay = new OutboxRelay({ dataSource: db, kafka: kafka.client(), topicFor: () => topic });
      const observer = await observe(kafka.client(), [topic]);
      await relay.start();
      try {
        await eventually(() => expect(observer.seen).toHaveLength(2));
        const [first, second] = observer.seen.map((o) => o.message);
        expect(first.key?.toString()).toBe('call-1');
        const envelope = envelopeSchema.parse(JSON.parse(String(first.value)));
        expect(envelope).toMatchObject({ type: 'Noted', source, streamId: 'call-1', streamVersion: 1, data: { n: 1 } });
        expect(JSON.parse(String(second.value)).streamVersion).toBe(2);
        expect(header(first, Headers.eventType)).toBe('Noted');
        expect(header(first, Headers.traceparent)).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      } finally {
        await relay.stop();
        await observer.stop();
      }
    }));

  it('publishes an event whose transaction took an earlier position but committed later', () =>
    withStore(async (db) => {
      const topic = 'relay.late-commit';
      await kafka.createTopics([topic]); // a consumer cannot subscribe to a topic Kafka has not created yet
      const relay = new OutboxRelay({ dataSource: db, kafka: kafka.client(), topicFor: () => topic, pollIntervalMs: 200 });
      await relay.start();
      const begin = async (): Promise<QueryRunner> => {
        const runner = db.createQueryRunner();
        await runner.startTransaction();
        return runner;
      };
      const a = await begin();
      const b = await begin();
      await effectsTable(db);
      const consumer = countingConsumer(kafka.client(), db, [topic], 'late-commit');
      await consumer.start();
      try {
        const early = await appendToStream(a.manager, 'stream-a', [noted(1)], { expectedVersion: 0, source });
        const later = await appendToStream(b.manager, 'stream-b', [noted(2)], { expectedVersion: 0, source });
        expect(later.lastPosition).toBeGreaterThan(early.lastPosition);
        await b.commitTransaction();
        // B is committed but A, earlier in the store, is still open: a relay pass publishes nothing, and knows to look again soon.
        await eventually(async () => expect(await relay.publishBatch()).toBe('held-back'));
        expect((await readRelayCheckpoint(db.manager, 'default'))?.position).toBe(0n);
        await a.commitTransaction();

        await eventually(async () => expect((await effects(db)).map((e) => e.stream_id).sort()).toEqual(['stream-a', 'stream-b']));
        // The checkpoint is recorded by the statement that reads the next batch (one round trip per pass).
        await eventually(async () => expect((await readRelayCheckpoint(db.manager, 'default'))?.position).toBe(later.lastPosition));
      } finally {
        await a.release();
        await b.release();
        await consumer.stop();
        await relay.stop();
      }
    }));

  it('is not held back by a transaction open in another database of the same server', () =>
    withStore(async (db) => {
      const topic = 'relay.other-database';
      const other = await openStoreDatabase(pg); // another service's database on the same server
      const open = other.createQueryRunner();
      await open.startTransaction();
      const relay = new OutboxRelay({ dataSource: db, kafka: kafka.client(), topicFor: () => topic, pollIntervalMs: 200 });
      const observer = await observe(kafka.client(), [topic]);
      try {
        // The other database's transaction has an id, older than the append below, and stays open.
        await appendToStream(open.manager, 'elsewhere-1', [noted(0)], { expectedVersion: 0, source });
        await relay.start();
        await appendToStream(db.manager, 'here-1', [noted(1)], { expectedVersion: 0, source });
        await eventually(() => expect(observer.seen.map((o) => o.message.key?.toString())).toEqual(['here-1']));
        expect(open.isTransactionActive).toBe(true);
      } finally {
        await open.rollbackTransaction();
        await open.release();
        await relay.stop();
        await observer.stop();
        await other.destroy();
      }
    }));

  it('is woken by the append’s notification, not only by its poll', () =>
    withStore(async (db) => {
      const topic = 'relay.notified';
      const relay = new OutboxRelay({ dataSource: db, kafka: kafka.client(), topicFor: () => topic, pollIntervalMs: 600_000 });
      const observer = await observe(kafka.client(), [topic]);
      await relay.start();
      try {
        await eventually(async () => expect(await relay.publishBatch()).toBe('idle')); // the start-up drain is over
        await db.transaction((manager) => appendToStream(manager, 'call-n', [noted(1)], { expectedVersion: 0, source }));
        await eventually(() => expect(observer.seen.map((o) => o.message.key?.toString())).toEqual(['call-n']));
      } finally {
        await relay.stop();
        await observer.stop();
      }
    }));

  it('publishes every event exactly once when several relays run', () =>
    withStore(async (db) => {
      const topic = 'relay.several';
      const relays = [1, 2, 3].map(() => new OutboxRelay({ dataSource: db, kafka: kafka.client(), topicFor: () => topic, batchSize: 7, pollIntervalMs: 100 }));
      await Promise.all(relays.map((r) => r.start()));
      try {
        const streams = Array.from({ length: 20 }, (_, i) => `stream-${i}`);
        for (let version = 0; version < 3; version++) {
          await Promise.all(streams.map((s) => appendToStream(db.manager, s, [noted(version)], { expectedVersion: version, source })));
        }
        // Relays publish in commit order, (transaction id, position): the last event so read is where the
        // checkpoint ends, and with concurrent appends it need not hold the highest position.
        const [last] = await db.query(
          `SELECT transaction_id::text AS "transactionId", position FROM es_events ORDER BY transaction_id DESC, position DESC LIMIT 1`,
        );
        await eventually(async () =>
          expect(await readRelayCheckpoint(db.manager, 'default')).toEqual({ transactionId: last.transactionId, position: BigInt(last.position) }),
        );
        expect(await messagesIn(kafka.client(), topic)).toBe(60);
      } finally {
        await Promise.all(relays.map((r) => r.stop()));
      }
    }));
});
