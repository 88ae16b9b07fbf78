import { dlqTopic, Headers, type Envelope } from '@homeline/contracts';
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { appendToStream, CommandHandler, PoisonMessage, readStream, StreamVersionConflict, TransientFailure, type UnitOfWork } from '../src';
import { tally } from './support/tally';
import { countingConsumer, effects, effectsTable, envelopeConsumer, recordEffect } from './support/effects';
import { createTopics, eventually, startTestKafka, startTestPostgres, type TestKafka, type TestPostgres } from './support/infrastructure';
import { consumedBy, fastStop, header, observe } from './support/kafka-observer';
import { openStoreDatabase } from './support/store-database';

const envelope = (streamId: string, data: Record<string, unknown> = {}): Envelope => ({
  id: randomUUID(), type: 'CallRequested', source: 'calls', streamId, streamVersion: 1,
  occurredAt: new Date().toISOString(), correlationId: streamId, causationId: null, accountId: null, data,
});
const asMessage = (e: Envelope) => ({ key: e.streamId, value: JSON.stringify(e), headers: { [Headers.eventType]: e.type } });

describe('a consumer with an inbox', () => {
  let pg: TestPostgres;
  let kafka: TestKafka;
  let db: DataSource;
  let producer: Producer;

  beforeAll(async () => {
    [pg, kafka] = await Promise.all([startTestPostgres(), startTestKafka()]);
    db = await openStoreDatabase(pg);
    await effectsTable(db);
    producer = kafka.client().producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await db?.destroy();
    await kafka?.stop();
    await pg?.stop();
  });

  it('has one effect when the same event is delivered twice', async () => {
    const topic = 'inbox.twice';
    const event = envelope('call-twice');
    const after = envelope('call-after');
    // One partition, so "after" is consumed only once both copies have been.
    await producer.send({ topic, messages: [{ ...asMessage(event), partition: 0 }] });
    const consumer = countingConsumer(kafka.client(), db, [topic], 'twice');
    await consumer.start();
    try {
      await eventually(async () => expect((await effects(db)).map((e) => e.event_id)).toContain(event.id));
      await producer.send({ topic, messages: [{ ...asMessage(event), partition: 0 }, { ...asMessage(after), partition: 0 }] });
      await eventually(async () => expect(await consumedBy(kafka.client(), 'twice', topic)).toBe(3));
      const applied = (await effects(db)).filter((e) => [event.id, after.id].includes(e.event_id));
      expect(applied.map((e) => [e.stream_id, e.times]).sort()).toEqual([['call-after', 1], ['call-twice', 1]]);
    } finally {
      await consumer.stop();
    }
  });

  it('sends a malformed message to the dead-letter topic with its reason and processes the ones after it', async () => {
    const topic = 'inbox.dlq';
    const before = envelope('call-before');
    const after = envelope('call-after-dlq');
    const { id: _id, ...withoutId } = envelope('call-broken');
    await producer.send({
      topic,
      messages: [
        { ...asMessage(before), partition: 0 },
        { key: 'call-garbled', value: '{"id": oops', partition: 0 },
        { key: 'call-broken', value: JSON.stringify(withoutId), partition: 0 },
        { ...asMessage(after), partition: 0 },
      ],
    });
    const dlq = await observe(kafka.client(), [dlqTopic(topic)]);
    const consumer = countingConsumer(kafka.client(), db, [topic], 'dlq');
    await consumer.start();
    try {
      await eventually(async () => expect(await consumedBy(kafka.client(), 'dlq', topic)).toBe(4));
      const applied = (await effects(db)).map((e) => e.event_id);
      expect(applied).toEqual(expect.arrayContaining([before.id, after.id]));

      await eventually(() => expect(dlq.seen).toHaveLength(2));
      // Dead letters keep their key, so they may land on different DLQ partitions.
      const byKey = (key: string) => dlq.seen.map((d) => d.message).find((m) => m.key?.toString() === key)!;
      const [garbled, broken] = [byKey('call-garbled'), byKey('call-broken')];
      expect(header(garbled, Headers.dlqReason)).toMatch(/^value is not JSON/);
      expect(header(garbled, Headers.dlqSourceTopic)).toBe(topic);
      expect(header(garbled, Headers.dlqSourcePartition)).toBe('0');
      expect(header(garbled, Headers.dlqSourceOffset)).toBe('1');
      expect(String(broken.value)).toBe(JSON.stringify(withoutId));
      expect(header(broken, Headers.dlqReason)).toMatch(/^envelope: .*id/);
      expect(header(broken, Headers.dlqReasonCode)).toBe('invalid_event');
      expect(header(broken, Headers.dlqConsumerGroup)).toBe('dlq');
    } finally {
      await consumer.stop();
      await dlq.stop();
    }
  });

  it('dead-letters an event its handler declares poison, keeps the rest of the batch, and does not crash', async () => {
    const topic = 'inbox.handler-poison';
    const good = [envelope('call-ok-1'), envelope('call-poison', { poison: true }), envelope('call-ok-2')];
    await producer.send({ topic, messages: good.map((e) => ({ ...asMessage(e), partition: 0 })) });
    const dlq = await observe(kafka.client(), [dlqTopic(topic)]);
    const consumer = envelopeConsumer({
      kafka: kafka.client(), dataSource: db, groupId: 'handler-poison', topics: [topic],
      handleBatch: async (events, tx) => {
        for (const { event } of events) {
          await recordEffect(tx, event);
          if (event.data.poison) throw new PoisonMessage('unroutable', event.id, 'cannot handle this one');
        }
      },
    });
    await consumer.start();
    try {
      await eventually(() => expect(dlq.seen).toHaveLength(1));
      expect(header(dlq.seen[0].message, Headers.dlqReason)).toBe('unroutable: cannot handle this one');
      expect(header(dlq.seen[0].message, Headers.dlqReasonCode)).toBe('poison');
      expect(header(dlq.seen[0].message, Headers.dlqConsumerGroup)).toBe('handler-poison');
      await eventually(async () => expect(await consumedBy(kafka.client(), 'handler-poison', topic)).toBe(3));
      const streams = (await effects(db)).map((e) => e.stream_id);
      expect(streams).toEqual(expect.arrayContaining(['call-ok-1', 'call-ok-2']));
      expect(streams).not.toContain('call-poison'); // its partial effect was rolled back

      await producer.send({ topic, messages: [{ ...asMessage(envelope('call-ok-3')), partition: 0 }] });
      await eventually(async () => expect((await effects(db)).map((e) => e.stream_id)).toContain('call-ok-3'));
    } finally {
      await consumer.stop();
      await dlq.stop();
    }
  });

  it('applies the partitions one fetch brings in one transaction, and a poison message there dead-letters only itself', async () => {
    const topic = 'inbox.partitions-together';
    await createTopics(kafka.client(), [topic], 3);
    const byPartition = [0, 1, 2].map((partition) => [envelope(`call-p${partition}-a`), envelope(`call-p${partition}-b`)]);
    const poison = envelope('call-p1-poison', { poison: true });
    byPartition[1].splice(1, 0, poison);
    await producer.send({
      topic,
      messages: byPartition.flatMap((events, partition) => events.map((e) => ({ ...asMessage(e), partition }))),
    });
    const transactions: { partitions: number[]; txid: string }[] = [];
    const dlq = await observe(kafka.client(), [dlqTopic(topic)]);
    const consumer = envelopeConsumer({
      kafka: kafka.client(), dataSource: db, groupId: 'partitions-together', topics: [topic],
      handleBatch: async (events, tx) => {
        const [{ txid }] = await tx.query(`SELECT txid_current()::text AS txid`);
        transactions.push({ partitions: [...new Set(events.map((e) => e.partition))].sort(), txid });
        for (const { event } of events) {
          await recordEffect(tx, event);
          if (event.data.poison) throw new PoisonMessage('unroutable', event.id);
        }
      },
    });
    await consumer.start();
    try {
      await eventually(async () => expect(await consumedBy(kafka.client(), 'partitions-together', topic)).toBe(7));
      await eventually(() => expect(dlq.seen).toHaveLength(1));
      expect(dlq.seen[0].message.key?.toString()).toBe('call-p1-poison');
      const applied = (await effects(db)).filter((e) => e.stream_id.startsWith('call-p'));
      expect(applied.map((e) => [e.stream_id, e.times]).sort()).toEqual(
        ['call-p0-a', 'call-p0-b', 'call-p1-a', 'call-p1-b', 'call-p2-a', 'call-p2-b'].map((id) => [id, 1]),
      );
      // The first try took all three partitions in one transaction; the poison made each go alone, then 1 without it.
      expect(transactions[0].partitions).toEqual([0, 1, 2]);
      expect(transactions.slice(1).every((t) => t.partitions.length === 1)).toBe(true);
    } finally {
      await consumer.stop();
      await dlq.stop();
    }
  });

  it.each([
    ['a lost race on a stream version', () => new StreamVersionConflict('call-x', 3, 4)],
    ['an unexpected error', () => new Error('connection reset by a flaky proxy')],
  ])('retries a batch that fails with %s until it succeeds, and never dead-letters it', async (_what, failure) => {
    const topic = `inbox.retry-${Math.random().toString(36).slice(2, 8)}`;
    const event = envelope('call-retried');
    const marker = envelope('call-marker');
    await producer.send({ topic, messages: [{ ...asMessage(event), partition: 0 }] });
    let failuresLeft = 3;
    const consumer = envelopeConsumer({
      kafka: kafka.client(), dataSource: db, groupId: topic, topics: [topic],
      handleBatch: async (events, tx) => {
        for (const { event: e } of events) {
          await recordEffect(tx, e);
          if (e.id === event.id && failuresLeft-- > 0) throw failure();
        }
      },
    });
    await consumer.start();
    try {
      await eventually(async () => expect((await effects(db)).find((e) => e.event_id === event.id)?.times).toBe(1));
      expect(failuresLeft).toBeLessThan(0); // it did fail three times first
      // Proof the DLQ was not used: a marker dead-lettered after it is the DLQ's first message.
      await producer.send({ topic, messages: [{ key: 'call-marker', value: '', partition: 0 }, { ...asMessage(marker), partition: 0 }] });
      const dlq = await observe(kafka.client(), [dlqTopic(topic)]);
      try {
        await eventually(() => expect(dlq.seen).toHaveLength(1));
        expect(dlq.seen[0].message.key?.toString()).toBe('call-marker');
        expect(header(dlq.seen[0].message, Headers.dlqReasonCode)).toBe('empty_message');
      } finally {
        await dlq.stop();
      }
    } finally {
      await consumer.stop();
    }
  });

  it('dead-letters a message whose header lies about its type, and one of a type nobody knows', async () => {
    const topic = 'inbox.lies';
    const lying = envelope('call-lying');
    const known = (type: string) => ['Noted', 'CallRequested', 'CallEnded'].includes(type);
    await producer.send({
      topic,
      messages: [
        { key: 'call-lying', value: JSON.stringify(lying), headers: { [Headers.eventType]: 'CallEnded' }, partition: 0 },
        { key: 'call-alien', value: JSON.stringify({ ...envelope('call-alien'), type: 'CallTeleported' }), partition: 0 },
      ],
    });
    const dlq = await observe(kafka.client(), [dlqTopic(topic)]);
    const consumer = envelopeConsumer({
      kafka: kafka.client(), dataSource: db, groupId: 'lies', topics: [topic], isKnownType: known,
      handleBatch: async (events, tx) => {
        for (const { event } of events) await recordEffect(tx, event);
      },
    });
    await consumer.start();
    try {
      await eventually(() => expect(dlq.seen).toHaveLength(2));
      const codes = dlq.seen.map((d) => [d.message.key?.toString(), header(d.message, Headers.dlqReasonCode)]).sort();
      expect(codes).toEqual([['call-alien', 'unknown_event_type'], ['call-lying', 'header_mismatch']]);
      expect((await effects(db)).map((e) => e.event_id)).not.toContain(lying.id);
    } finally {
      await consumer.stop();
      await dlq.stop();
    }
  });

  it('takes a header sent with a null value as absent, and keeps consuming', async () => {
    // Any producer may write a header of length -1; kafkajs hands it over as null. It once crashed the
    // consumer for good (a TypeError kafkajs will not retry), on every replica the partition moved to.
    const topic = 'inbox.null-headers';
    const [nulled, after] = [envelope('call-null-headers'), envelope('call-after-null-headers')];
    const nullHeaders = { [Headers.eventType]: null, [Headers.traceparent]: null } as unknown as Record<string, string>;
    await producer.send({ topic, messages: [{ key: nulled.streamId, value: JSON.stringify(nulled), headers: nullHeaders, partition: 0 }, { ...asMessage(after), partition: 0 }] });
    const consumer = countingConsumer(kafka.client(), db, [topic], 'null-headers');
    await consumer.start();
    try {
      await eventually(async () => expect((await effects(db)).map((e) => e.event_id)).toEqual(expect.arrayContaining([nulled.id, after.id])));
    } finally {
      await consumer.stop();
    }
  });

  it('lets go of a batch it keeps retrying when the group rebalances, so a new member is not held up', async () => {
    // One member retries a batch for as long as it fails (never dead-lettered). A rebalance waits for every
    // member's batch in hand; had the retrying one not noticed, the group would consume nothing for the
    // rebalance timeout (kafkajs: 60 s), and nothing after that partition's batch in the member's fetches.
    const topic = 'inbox.rebalance';
    await createTopics(kafka.client(), [topic], 2);
    const stuck = envelope('call-stuck');
    let failures = 0;
    const failing = envelopeConsumer({
      kafka: kafka.client(), dataSource: db, groupId: 'rebalance', topics: [topic], consumerConfig: { ...fastStop, rebalanceTimeout: 60_000 },
      handleBatch: async (events, tx) => {
        for (const { event } of events) {
          if (event.id === stuck.id) {
            failures++;
            throw new TransientFailure('the database is away');
          }
          await recordEffect(tx, event);
        }
      },
    });
    await producer.send({ topic, messages: [{ ...asMessage(stuck), partition: 0 }] });
    await failing.start();
    const joining = countingConsumer(kafka.client(), db, [topic], 'rebalance');
    try {
      await eventually(() => expect(failures).toBeGreaterThan(1)); // retrying, the batch in hand
      await joining.start();
      const after = envelope('call-after-rebalance');
      await producer.send({ topic, messages: [{ ...asMessage(after), partition: 1 }] });
      await eventually(async () => expect((await effects(db)).map((e) => e.event_id)).toContain(after.id), { timeoutMs: 30_000 });
    } finally {
      await Promise.all([failing.stop(), joining.stop()]);
    }
  });

  it('skips the types it does not handle without an inbox row', async () => {
    const topic = 'inbox.skips';
    const ignored = { ...envelope('call-ignored'), type: 'Ignored' };
    const handled = envelope('call-handled');
    await producer.send({ topic, messages: [ignored, handled].map((e) => ({ ...asMessage(e), partition: 0 })) });
    const consumer = envelopeConsumer({
      kafka: kafka.client(), dataSource: db, groupId: 'skips', topics: [topic],
      handleBatch: async (events, tx) => {
        for (const { event } of events) await recordEffect(tx, event);
      },
    });
    await consumer.start();
    try {
      await eventually(async () => expect(await consumedBy(kafka.client(), 'skips', topic)).toBe(2));
      const inbox: { event_id: string }[] = await db.query(`SELECT event_id FROM es_inbox WHERE consumer = 'skips'`);
      expect(inbox.map((r) => r.event_id)).toEqual([handled.id]);
    } finally {
      await consumer.stop();
    }
  });
});

describe('a consumer whose batches are units of work (one statement each)', () => {
  let pg: TestPostgres;
  let kafka: TestKafka;
  let db: DataSource;
  let producer: Producer;
  const tallies = new CommandHandler({ decider: tally, source: 'calls' });

  beforeAll(async () => {
    [pg, kafka] = await Promise.all([startTestPostgres(), startTestKafka()]);
    db = await openStoreDatabase(pg);
    await effectsTable(db);
    producer = kafka.client().producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await db?.destroy();
    await kafka?.stop();
    await pg?.stop();
  });

  /** Each event increments the tally of its stream and records its effect, in the one statement. */
  const unitConsumer = (
    groupId: string,
    topic: string,
    beforeCommit: (uow: UnitOfWork, events: readonly { readonly event: Envelope }[]) => Promise<void> = async () => undefined,
  ) =>
    envelopeConsumer({
      kafka: kafka.client(), dataSource: db, groupId, topics: [topic], handleBatch: undefined,
      handleAsUnit: async (events, uow) => {
        await tallies.stage(uow, events.map(({ event }) => ({ streamId: `tally-${event.streamId}`, commands: [{ type: 'Increment', by: 1, limit: 100 }] })));
        for (const { event } of events) uow.also({ sql: `INSERT INTO effects (event_id, times, stream_id) VALUES ($1, 1, $2) ON CONFLICT (event_id) DO UPDATE SET times = effects.times + 1`, params: [event.id, event.streamId] });
        await beforeCommit(uow, events);
      },
    });

  it('has one effect, events and companions together, when the same event is delivered twice', async () => {
    const topic = 'unit.twice';
    const event = envelope('u-twice');
    const marker = envelope('u-marker');
    await producer.send({ topic, messages: [event, event, marker].map((e) => ({ ...asMessage(e), partition: 0 })) });
    const consumer = unitConsumer('unit-twice', topic);
    await consumer.start();
    try {
      await eventually(async () => expect((await effects(db)).map((e) => e.event_id)).toContain(marker.id));
      await producer.send({ topic, messages: [{ ...asMessage(event), partition: 0 }, { ...asMessage(envelope('u-marker')), partition: 0 }] });
      await eventually(async () => expect(await consumedBy(kafka.client(), 'unit-twice', topic)).toBe(5));
      expect((await effects(db)).find((e) => e.event_id === event.id)?.times).toBe(1);
      expect((await readStream(db.manager, 'tally-u-twice')).events.map((e) => e.type)).toEqual(['Incremented']);
    } finally {
      await consumer.stop();
    }
  });

  it('does not judge an event it already processed: a redelivery the handler would call poison is skipped, not dead-lettered', async () => {
    const topic = 'unit.redelivered-poison';
    const event = envelope('u-once');
    await producer.send({ topic, messages: [{ ...asMessage(event), partition: 0 }] });
    const dlq = await observe(kafka.client(), [dlqTopic(topic)]);
    // The handler reads the stream first (as a decider does) and refuses the event once its stream has counted it.
    const consumer = unitConsumer('unit-redelivered-poison', topic, async (uow, events) => {
      if (!events.some((e) => e.event.id === event.id)) return;
      if ((await readStream(uow.reads, 'tally-u-once')).events.length > 0) throw new PoisonMessage('already_counted', event.id);
    });
    await consumer.start();
    try {
      await eventually(async () => expect((await effects(db)).find((e) => e.event_id === event.id)?.times).toBe(1));
      const marker = envelope('u-once-marker');
      await producer.send({ topic, messages: [event, marker].map((e) => ({ ...asMessage(e), partition: 0 })) });
      await eventually(async () => expect(await consumedBy(kafka.client(), 'unit-redelivered-poison', topic)).toBe(3));
      expect((await effects(db)).map((e) => e.event_id)).toContain(marker.id);
      expect((await effects(db)).find((e) => e.event_id === event.id)?.times).toBe(1);
      // A dead letter would travel under the event's key, so it would be read before this sentinel on that key.
      await producer.send({ topic: dlqTopic(topic), messages: [{ key: event.streamId, value: 'sentinel' }] });
      await eventually(() => expect(dlq.seen.map((o) => o.message.value?.toString())).toContain('sentinel'));
      expect(dlq.seen.map((o) => o.message.value?.toString())).toEqual(['sentinel']);
    } finally {
      await consumer.stop();
      await dlq.stop();
    }
  });

  it('writes nothing of a unit that lost a race, and runs it again on a fresh read', async () => {
    const topic = 'unit.race';
    const event = envelope('u-race');
    await producer.send({ topic, messages: [{ ...asMessage(event), partition: 0 }] });
    let raced = false;
    const consumer = unitConsumer('unit-race', topic, async () => {
      if (raced) return;
      raced = true; // another writer appends to the same stream after this unit read it
      await appendToStream(db.manager, 'tally-u-race', [{ type: 'Incremented', data: { by: 10 } }], { expectedVersion: 'any', source: 'calls' });
    });
    await consumer.start();
    try {
      await eventually(async () => expect((await effects(db)).find((e) => e.event_id === event.id)?.times).toBe(1));
      expect(raced).toBe(true);
      const stream = await readStream(db.manager, 'tally-u-race');
      expect(stream.events.map((e) => e.data)).toEqual([{ by: 10 }, { by: 1 }]); // the unit's first attempt left nothing
    } finally {
      await consumer.stop();
    }
  });
});
