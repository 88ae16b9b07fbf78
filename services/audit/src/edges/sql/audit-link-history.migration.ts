import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every DeviceLinked, not only the latest: an event without an account is filed under the household
 * its device was in when the event occurred, so a call placed before the device moved, and recorded
 * after (a lagging partition, a replay), stays its first household's. Seeded with the links known.
 */
export class AuditLinkHistory1766000000200 implements MigrationInterface {
  name = 'AuditLinkHistory1766000000200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE audit_link_history (
        scope      text NOT NULL,
        account_id text NOT NULL,
        linked_at  timestamptz NOT NULL,
        PRIMARY KEY (scope, linked_at)
      )`);
    await runner.query(`INSERT INTO audit_link_history (scope, account_id, linked_at) SELECT scope, account_id, linked_at FROM audit_key_links WHERE linked_at IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE audit_link_history`);
  }
}
