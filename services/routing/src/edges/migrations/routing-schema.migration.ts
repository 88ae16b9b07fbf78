import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Routing's own tables: its projection of identity's registry (accounts, members, devices,
 * contacts), and the carrier legs: which carrier call each is, the durable queue of requests
 * to the carrier, and the callbacks already applied.
 */
export class RoutingSchema1764100000000 implements MigrationInterface {
  readonly name = 'RoutingSchema1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE accounts (
        account_id  text PRIMARY KEY,
        msisdn      text NOT NULL,
        country     text NOT NULL,
        timezone    text NOT NULL,
        address     jsonb NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE members (
        member_id   text PRIMARY KEY,
        account_id  text NOT NULL,
        name        text NOT NULL,
        role        text NOT NULL,
        grants      text[] NOT NULL
      )`);
    await runner.query(`CREATE INDEX members_account_idx ON members (account_id)`);
    await runner.query(`
      CREATE TABLE devices (
        device_id   text PRIMARY KEY,
        account_id  text NOT NULL,
        name        text NOT NULL,
        location    jsonb
      )`);
    await runner.query(`
      CREATE TABLE contacts (
        contact_id  text PRIMARY KEY,
        account_id  text NOT NULL,
        member_id   text,
        name        text NOT NULL,
        aliases     text[] NOT NULL,
        e164        text NOT NULL
      )`);
    await runner.query(`CREATE INDEX contacts_account_idx ON contacts (account_id)`);
    await runner.query(`
      CREATE TABLE carrier_legs (
        leg_id           text PRIMARY KEY,
        call_id          text NOT NULL UNIQUE,
        account_id       text NOT NULL,
        carrier_call_id  text UNIQUE,
        created_at       timestamptz NOT NULL DEFAULT now()
      )`);
    // The carrier is called only after the transaction that decided it commits: a dispatcher
    // takes rows from here, calls the carrier and deletes them, so a crash retries, never loses.
    await runner.query(`
      CREATE TABLE carrier_requests (
        request_id    bigserial PRIMARY KEY,
        leg_id        text NOT NULL REFERENCES carrier_legs (leg_id),
        action        text NOT NULL CHECK (action IN ('place', 'hang_up')),
        payload       jsonb NOT NULL,
        attempts      integer NOT NULL DEFAULT 0,
        available_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX carrier_requests_available_idx ON carrier_requests (available_at, request_id)`);
    await runner.query(`
      CREATE TABLE carrier_callbacks (
        carrier_call_id  text NOT NULL,
        status           text NOT NULL,
        sequence         integer NOT NULL,
        received_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (carrier_call_id, status, sequence)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'carrier_callbacks',
      'carrier_requests',
      'carrier_legs',
      'contacts',
      'devices',
      'members',
      'accounts',
    ]) {
      await runner.query(`DROP TABLE ${table}`);
    }
  }
}
