import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An index on carrier_callbacks.received_at, for the sweep that forgets callbacks older than
 * CARRIER_CALLBACK_RETENTION_HOURS in one short range scan (a B-tree: the pages the sweep frees
 * are filled by new rows, so a BRIN's block ranges would stop following time).
 */
export class RoutingRetention1766000000100 implements MigrationInterface {
  readonly name = 'RoutingRetention1766000000100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX carrier_callbacks_received_at_idx ON carrier_callbacks (received_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX carrier_callbacks_received_at_idx`);
  }
}
