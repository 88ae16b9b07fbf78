import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When identity linked each device to the account its link names (docs/decisions.md section 20): a
 * device moved between households follows identity's latest DeviceLinked, read in whatever order
 * the two households' partitions come. Links learnt from other events have no time: any
 * DeviceLinked replaces them.
 */
export class AuditDeviceLinks1765300000000 implements MigrationInterface {
  name = 'AuditDeviceLinks1765300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE audit_key_links ADD COLUMN linked_at timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE audit_key_links DROP COLUMN linked_at`);
  }
}
