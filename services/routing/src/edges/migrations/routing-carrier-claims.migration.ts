import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Carrier work as claim -> commit -> call -> record: a dispatcher claims a request for a lease
 * (`claimed_until`, with a `claim_token` so only the holder completes it) instead of holding a row
 * lock while the carrier answers; a crashed dispatcher's claim simply expires. Each leg keeps the
 * highest carrier sequence applied to it, so an older callback arriving late changes nothing.
 */
export class RoutingCarrierClaims1764200000000 implements MigrationInterface {
  readonly name = 'RoutingCarrierClaims1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE carrier_requests ADD COLUMN claimed_until timestamptz, ADD COLUMN claim_token text`,
    );
    // A leg's requests run in order: "is there an earlier one for this leg?" is asked on every claim.
    await runner.query(`CREATE INDEX carrier_requests_leg_idx ON carrier_requests (leg_id, request_id)`);
    await runner.query(`ALTER TABLE carrier_legs ADD COLUMN applied_sequence integer`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE carrier_legs DROP COLUMN applied_sequence`);
    await runner.query(`DROP INDEX carrier_requests_leg_idx`);
    await runner.query(`ALTER TABLE carrier_requests DROP COLUMN claim_token, DROP COLUMN claimed_until`);
  }
}
