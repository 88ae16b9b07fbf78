import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether any try of a carrier request may have been carried out by the carrier (a timeout, a
 * connection lost mid-request, a 5xx), apart from how many tries there were: a placement none of
 * whose tries may have reached the carrier is dropped when its call ends (carrier-legs.sql.ts),
 * while every try still counts for its backoff and its giving up. Rows from before were judged by
 * their attempts alone.
 */
export class RoutingRequestCarriedOut1765400000000 implements MigrationInterface {
  readonly name = 'RoutingRequestCarriedOut1765400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE carrier_requests ADD COLUMN carried_out boolean NOT NULL DEFAULT false`);
    await runner.query(`UPDATE carrier_requests SET carried_out = true WHERE attempts > 0`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE carrier_requests DROP COLUMN carried_out`);
  }
}
