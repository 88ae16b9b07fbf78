import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When identity's event that put each known device where it is occurred: identity keys its events
 * by account, so a device moved from one household to another has its unlink and its new link on
 * different partitions, which a consumer catching up may read in either order. An older link never
 * overwrites a newer one (known-devices.ts). Rows from before this column have no time: any link
 * replaces them.
 */
export class KnownDevicesOrder1764000000201 implements MigrationInterface {
  name = 'KnownDevicesOrder1764000000201';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE known_devices ADD COLUMN linked_at timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE known_devices DROP COLUMN linked_at`);
  }
}
