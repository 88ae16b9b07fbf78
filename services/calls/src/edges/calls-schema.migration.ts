import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * calls' own tables beside its event store: the deadline of each waiting call, the linked devices
 * it knows from identity's registry events (for emergency calls identity need not answer), and
 * the nonces of the emergency requests it let through on its own (each assertion once).
 */
export class CallsSchema1764000000200 implements MigrationInterface {
  name = 'CallsSchema1764000000200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE call_deadlines (call_id text PRIMARY KEY, due_at timestamptz NOT NULL)`);
    await runner.query(`CREATE INDEX call_deadlines_due_idx ON call_deadlines (due_at)`);
    await runner.query(`CREATE TABLE known_accounts (account_id text PRIMARY KEY, country text NOT NULL)`);
    await runner.query(`CREATE TABLE known_devices (device_id text PRIMARY KEY, account_id text NOT NULL, public_key text NOT NULL)`);
    await runner.query(`
      CREATE TABLE emergency_nonces (
        device_id text NOT NULL, nonce text NOT NULL, call_id text NOT NULL, used_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (device_id, nonce)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE emergency_nonces`);
    await runner.query(`DROP TABLE known_devices`);
    await runner.query(`DROP TABLE known_accounts`);
    await runner.query(`DROP TABLE call_deadlines`);
  }
}
