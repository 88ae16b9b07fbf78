import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first audit version's table (kept so databases that ran it migrate on; the next migration
 * renames it audit_entries_v0). The audit log is append-only in the database itself: a trigger refuses UPDATE, DELETE and TRUNCATE
 * whoever the role is, so neither a bug nor an operator's console can rewrite history.
 */
export class AuditLog1764000000000 implements MigrationInterface {
  name = 'AuditLog1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE audit_entries (
        seq            bigserial PRIMARY KEY,
        event_id       uuid NOT NULL UNIQUE,
        type           text NOT NULL,
        source         text NOT NULL,
        stream_id      text NOT NULL,
        occurred_at    timestamptz NOT NULL,
        recorded_at    timestamptz NOT NULL DEFAULT now(),
        correlation_id text NOT NULL,
        account_id     text,
        call_id        text,
        member_id      text,
        device_id      text,
        entry          jsonb NOT NULL
      )`);
    for (const column of ['call_id', 'account_id', 'member_id', 'device_id', 'type', 'occurred_at']) {
      await runner.query(`CREATE INDEX audit_entries_${column}_idx ON audit_entries (${column}, seq)`);
    }
    await runner.query(`
      CREATE FUNCTION audit_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await runner.query(`
      CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
      FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()`);
    await runner.query(`
      CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
      FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse_change()`);
  }

  async down(): Promise<void> {
    throw new Error('the audit log is never rolled back');
  }
}
