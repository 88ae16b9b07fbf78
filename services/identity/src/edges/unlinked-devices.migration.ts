import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An unlinked speaker's row stays (verification tells an unlinked device from an unknown one, and a
 * link elsewhere takes it over), but not what the household called it or which room it was in:
 * DeviceUnlinked blanks them from now on, and this blanks the rows unlinked before.
 */
export class UnlinkedDevices1766200000000 implements MigrationInterface {
  name = 'UnlinkedDevices1766200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`UPDATE devices SET name = '', location = NULL WHERE unlinked_at IS NOT NULL`);
  }

  async down(): Promise<void> {
    // What was blanked is not kept anywhere but identity's event store.
  }
}
