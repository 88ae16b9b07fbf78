import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A claim names the PostgreSQL session of the dispatcher that holds it (`claimed_by_pid`, the
 * backend pid of the dispatcher's listening connection). When that dispatcher dies its session
 * ends, and another dispatcher takes the claim over at once instead of waiting out the lease
 * (docs/decisions.md section 13).
 */
export class RoutingClaimHolders1765100000000 implements MigrationInterface {
  readonly name = 'RoutingClaimHolders1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE carrier_requests ADD COLUMN claimed_by_pid integer`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE carrier_requests DROP COLUMN claimed_by_pid`);
  }
}
