import { envelopeSchema, type Envelope, type ParseResult } from '@homeline/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { InboxConsumer, type InboxConsumerOptions } from '../../src';
import type { Kafka } from 'kafkajs';
import { fastStop, silent } from './kafka-observer';

/** A consumer whose effect is counting each event id: a second effect would show as 2. */
export const effectsTable = async (db: DataSource) =>
  db.query(`CREATE TABLE IF NOT EXISTS effects (event_id text PRIMARY KEY, times int NOT NULL, stream_id text NOT NULL)`);

export const recordEffect = (tx: EntityManager, event: Envelope) =>
  tx.query(
    `INSERT INTO effects (event_id, times, stream_id) VALUES ($1, 1, $2)
     ON CONFLICT (event_id) DO UPDATE SET times = effects.times + 1`,
    [event.id, event.streamId],
  );

/** Any well-formed envelope, of any type: the store's tests use types of their own. */
export const anyEnvelope = (raw: unknown): ParseResult<Envelope> => {
  const parsed = envelopeSchema.safeParse(raw);
  return parsed.success ? { ok: true, event: parsed.data } : { ok: false, reason: `envelope: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
};

export const envelopeConsumer = (
  options: Pick<InboxConsumerOptions<Envelope>, 'kafka' | 'dataSource' | 'groupId' | 'topics' | 'handleBatch'> & Partial<InboxConsumerOptions<Envelope>>,
) =>
  new InboxConsumer<Envelope>({
    handles: ['Noted', 'CallRequested'], parse: anyEnvelope, isKnownType: () => true, consumerConfig: fastStop, logger: silent,
    commitIntervalMs: 50, ...options,
  });

export const countingConsumer = (kafka: Kafka, db: DataSource, topics: readonly string[], groupId = 'counting') =>
  envelopeConsumer({
    kafka, dataSource: db, groupId, topics,
    handleBatch: async (events, tx) => {
      for (const { event } of events) await recordEffect(tx, event);
    },
  });

export const effects = async (db: DataSource): Promise<{ event_id: string; times: number; stream_id: string }[]> =>
  db.query(`SELECT event_id, times, stream_id FROM effects ORDER BY event_id`);
