import { envelopeSchema, type Envelope } from '@homeline/contracts';
import type { DataSource } from 'typeorm';
import { InboxConsumer } from '../../src';
import type { Kafka } from 'kafkajs';
import { fastStop, silent } from './kafka-observer';

/** A consumer whose effect is counting each event id: a second effect would show as 2. */
export const effectsTable = async (db: DataSource) =>
  db.query(`CREATE TABLE IF NOT EXISTS effects (event_id text PRIMARY KEY, times int NOT NULL, stream_id text NOT NULL)`);

export const countingConsumer = (kafka: Kafka, db: DataSource, topics: readonly string[], groupId = 'counting') =>
  new InboxConsumer<Envelope>({
    kafka, dataSource: db, groupId, topics, schema: envelopeSchema, consumerConfig: fastStop, logger: silent,
    handle: async (event, manager) => {
      await manager.query(
        `INSERT INTO effects (event_id, times, stream_id) VALUES ($1, 1, $2)
         ON CONFLICT (event_id) DO UPDATE SET times = effects.times + 1`,
        [event.id, event.streamId],
      );
    },
  });

export const effects = async (db: DataSource): Promise<{ event_id: string; times: number; stream_id: string }[]> =>
  db.query(`SELECT event_id, times, stream_id FROM effects ORDER BY event_id`);
