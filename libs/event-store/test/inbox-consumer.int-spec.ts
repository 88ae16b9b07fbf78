import { dlqTopic, envelopeSchema, Headers, type Envelope } from '@homeline/contracts';
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { InboxConsumer } from '../src';
import { countingConsumer, effects, effectsTable } from './support/effects';
import { eventually, startTestKafka, startTestPostgres, type TestKafka, type TestPostgres } from './support/infrastructure';
import { consumedBy, fastStop, header, observe, silent } from './support/kafka-observer';
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
      expect(header(broken, Headers.dlqReason)).toMatch(/^schema: .*id/);
    } finally {
      await consumer.stop();
      await dlq.stop();
    }
  });

  it('dead-letters an event whose handler throws, keeps the rest of the batch, and does not crash', async () => {
    const topic = 'inbox.handler-fails';
    const good = [envelope('call-ok-1'), envelope('call-poison', { poison: true }), envelope('call-ok-2')];
    await producer.send({ topic, messages: good.map((e) => ({ ...asMessage(e), partition: 0 })) });
    const dlq = await observe(kafka.client(), [dlqTopic(topic)]);
    const consumer = new InboxConsumer<Envelope>({
      kafka: kafka.client(), dataSource: db, groupId: 'handler-fails', topics: [topic], schema: envelopeSchema, consumerConfig: fastStop, logger: silent,
      handle: async (event, manager) => {
        await manager.query(`INSERT INTO effects (event_id, times, stream_id) VALUES ($1, 1, $2)`, [event.id, event.streamId]);
        if (event.data.poison) throw new Error('cannot handle this one');
      },
    });
    await consumer.start();
    try {
      await eventually(() => expect(dlq.seen).toHaveLength(1));
      expect(header(dlq.seen[0].message, Headers.dlqReason)).toBe('handler failed: cannot handle this one');
      await eventually(async () => expect(await consumedBy(kafka.client(), 'handler-fails', topic)).toBe(3));
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
});
