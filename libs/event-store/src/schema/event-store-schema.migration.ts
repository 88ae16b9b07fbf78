import type { MigrationInterface, QueryRunner } from 'typeorm';
import { StreamConflict1764300000000 } from './stream-conflict.migration';
import { InboxRetention1766000000000 } from './inbox-retention.migration';

/**
 * The event store's tables. `transaction_id` lets readers page by (transaction_id, position)
 * below the snapshot's xmin, so a position taken by a transaction that commits late is never skipped.
 */
export class EventStoreSchema1764000000000 implements MigrationInterface {
  readonly name = 'EventStoreSchema1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE es_events (
        position        bigserial NOT NULL,
        transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        stream_id       text NOT NULL,
        stream_version  integer NOT NULL CHECK (stream_version > 0),
        event_id        uuid NOT NULL,
        type            text NOT NULL,
        source          text NOT NULL,
        occurred_at     timestamptz NOT NULL,
        correlation_id  text NOT NULL,
        causation_id    text,
        account_id      text,
        data            jsonb NOT NULL,
        traceparent     text,
        -- Optimistic concurrency: a second writer of the same version fails on this key.
        CONSTRAINT es_events_stream_version_uq PRIMARY KEY (stream_id, stream_version),
        CONSTRAINT es_events_event_id_uq UNIQUE (event_id)
      )`);
    // The relay's and projections' read order; position is unique by its sequence, so it needs
    // no index of its own (one index fewer per appended event).
    await runner.query(`CREATE INDEX es_events_transaction_position_idx ON es_events (transaction_id, position)`);
    await runner.query(`
      CREATE TABLE es_relay_checkpoints (
        name            text PRIMARY KEY,
        transaction_id  xid8 NOT NULL DEFAULT '0',
        position        bigint NOT NULL DEFAULT 0,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE es_inbox (
        consumer      text NOT NULL,
        event_id      text NOT NULL,
        processed_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await runner.query(`
      CREATE TABLE es_projection_checkpoints (
        name            text PRIMARY KEY,
        transaction_id  xid8 NOT NULL DEFAULT '0',
        position        bigint NOT NULL DEFAULT 0,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE es_projection_checkpoints`);
    await runner.query(`DROP TABLE es_inbox`);
    await runner.query(`DROP TABLE es_relay_checkpoints`);
    await runner.query(`DROP TABLE es_events`);
  }
}

/** Add these to a service DataSource's `migrations`. */
export const eventStoreMigrations = [EventStoreSchema1764000000000, StreamConflict1764300000000, InboxRetention1766000000000];
