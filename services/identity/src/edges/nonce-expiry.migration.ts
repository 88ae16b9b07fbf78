import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Burnt nonces are swept once no request could find their assertion fresh (NONCE_RETENTION_SECONDS
 * after it was issued), so each row keeps its assertion's issuedAt, indexed for the sweep. Rows
 * already there take the migration's time: later than their assertion's, so they are kept at
 * least as long as they must be. A constant default adds the column without rewriting the table.
 */
export class NonceExpiry1764000000300 implements MigrationInterface {
  name = 'NonceExpiry1764000000300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE assertion_nonces ADD COLUMN issued_at timestamptz NOT NULL DEFAULT now()`);
    await runner.query(`ALTER TABLE assertion_nonces ALTER COLUMN issued_at DROP DEFAULT`);
    await runner.query(`CREATE INDEX assertion_nonces_issued_at_idx ON assertion_nonces (issued_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE assertion_nonces DROP COLUMN issued_at`);
  }
}
