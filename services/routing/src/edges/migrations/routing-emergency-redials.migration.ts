import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An emergency call may have more than one carrier leg: calls asks for a failed one to be dialled
 * again (EmergencyRedialRequested). A call had exactly one leg (call_id was unique); now one per
 * redial: the first is redial 0, and a redial asked for twice still opens one leg.
 */
export class RoutingEmergencyRedials1765800000000 implements MigrationInterface {
  readonly name = 'RoutingEmergencyRedials1765800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE carrier_legs ADD COLUMN redial int NOT NULL DEFAULT 0`);
    await runner.query(`ALTER TABLE carrier_legs DROP CONSTRAINT carrier_legs_call_id_key`);
    await runner.query(`ALTER TABLE carrier_legs ADD CONSTRAINT carrier_legs_call_id_redial_key UNIQUE (call_id, redial)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM carrier_requests r USING carrier_legs l WHERE r.leg_id = l.leg_id AND l.redial > 0`);
    await runner.query(`DELETE FROM carrier_legs WHERE redial > 0`);
    await runner.query(`ALTER TABLE carrier_legs DROP CONSTRAINT carrier_legs_call_id_redial_key`);
    await runner.query(`ALTER TABLE carrier_legs ADD CONSTRAINT carrier_legs_call_id_key UNIQUE (call_id)`);
    await runner.query(`ALTER TABLE carrier_legs DROP COLUMN redial`);
  }
}
