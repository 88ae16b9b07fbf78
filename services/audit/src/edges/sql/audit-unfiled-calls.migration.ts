import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The entries of calls filed under no account (a call's first event read before its speaker's link,
 * entryQuery), in log order: a query by account walks these few from its cursor and keeps those of
 * its calls, instead of joining every call of the account to the log.
 */
export class AuditUnfiledCalls1766000000300 implements MigrationInterface {
  name = 'AuditUnfiledCalls1766000000300';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX audit_log_entries_unfiled_call_idx ON audit_log_entries (index) WHERE account_id IS NULL AND call_id IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX audit_log_entries_unfiled_call_idx`);
  }
}
