import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A BRIN index on carrier_callbacks.received_at, for the sweep that forgets callbacks older than
 * CARRIER_CALLBACK_RETENTION_HOURS: rows arrive in received_at order, so a block range summary
 * finds the old ones without a B-tree to keep up on every callback.
 */
export class RoutingRetention1766000000100 implements MigrationInterface {
  readonly name = 'RoutingRetention1766000000100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX carrier_callbacks_received_at_brin ON carrier_callbacks USING brin (received_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX carrier_callbacks_received_at_brin`);
  }
}
