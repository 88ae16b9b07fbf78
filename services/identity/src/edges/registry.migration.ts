import type { MigrationInterface, QueryRunner } from 'typeorm';

/** identity's read model of the household registry; the account streams in the event store are the record. */
export class HouseholdRegistry1764000000100 implements MigrationInterface {
  name = 'HouseholdRegistry1764000000100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE accounts (
        account_id   uuid PRIMARY KEY,
        msisdn       text NOT NULL UNIQUE,
        display_name text NOT NULL,
        timezone     text NOT NULL,
        country      char(2) NOT NULL,
        address      jsonb NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE members (
        member_id   uuid PRIMARY KEY,
        account_id  uuid NOT NULL REFERENCES accounts,
        name        text NOT NULL,
        role        text NOT NULL CHECK (role IN ('owner', 'adult', 'child', 'guest')),
        overrides   jsonb NOT NULL DEFAULT '{"grant": [], "revoke": []}',
        -- effective call grants: the role's defaults with the member's overrides applied
        grants      text[] NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX members_account_idx ON members (account_id)`);
    await runner.query(`
      CREATE TABLE devices (
        device_id   text PRIMARY KEY,
        account_id  uuid NOT NULL REFERENCES accounts,
        name        text NOT NULL,
        public_key  bytea NOT NULL,
        location    jsonb,
        linked_at   timestamptz NOT NULL DEFAULT now(),
        unlinked_at timestamptz
      )`);
    await runner.query(`
      CREATE TABLE voiceprints (
        voiceprint_id uuid PRIMARY KEY,
        member_id     uuid NOT NULL REFERENCES members,
        account_id    uuid NOT NULL REFERENCES accounts,
        sealed        bytea NOT NULL,
        enrolled_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX voiceprints_account_idx ON voiceprints (account_id)`);
    await runner.query(`
      CREATE TABLE contacts (
        contact_id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts,
        member_id  uuid REFERENCES members,
        name       text NOT NULL,
        aliases    text[] NOT NULL DEFAULT '{}',
        e164       text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX contacts_account_idx ON contacts (account_id)`);
    // A nonce is accepted once per device, ever: the primary key is the replay guard.
    await runner.query(`
      CREATE TABLE assertion_nonces (
        device_id text NOT NULL,
        nonce     text NOT NULL,
        call_id   text NOT NULL,
        seen_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (device_id, nonce)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['assertion_nonces', 'contacts', 'voiceprints', 'devices', 'members', 'accounts']) {
      await runner.query(`DROP TABLE ${table}`);
    }
  }
}
