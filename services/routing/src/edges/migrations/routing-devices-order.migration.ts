import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When identity's event that put each device in its household occurred: identity keys its events
 * by account, so a device moved from one household to another has its unlink and its new link on
 * different partitions, read in either order. An older link never overwrites a newer one
 * (household-directory.sql.ts). Rows from before this column have no time: any link replaces them.
 */
export class RoutingDevicesOrder1765200000000 implements MigrationInterface {
  readonly name = 'RoutingDevicesOrder1765200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE devices ADD COLUMN linked_at timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE devices DROP COLUMN linked_at`);
  }
}
