import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbound calls (docs/architecture.md section 6.1). The projection of identity's registry keeps
 * what decides whether a call rings: each account's Away Mode and quiet hours (its time zone was
 * kept already), each contact's sensitive flag, and the household's last emergency call (routing's
 * own decision). An inbound call's carrier call is a row of carrier_legs with direction 'inbound',
 * so its carrier requests (bridge, voicemail, hang-up) share the outbound legs' queue and its
 * unique carrier_call_id makes a retried webhook find the call it opened.
 */
export class RoutingInbound1764300000000 implements MigrationInterface {
  readonly name = 'RoutingInbound1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE accounts
        ADD COLUMN away_enabled boolean NOT NULL DEFAULT false,
        ADD COLUMN away_until timestamptz,
        ADD COLUMN quiet_hours jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN last_emergency_at timestamptz`);
    // The inbound webhook finds the account by its line (identity keeps msisdn unique).
    await runner.query(`CREATE INDEX accounts_msisdn_idx ON accounts (msisdn)`);
    await runner.query(`CREATE INDEX devices_account_idx ON devices (account_id)`);
    await runner.query(`ALTER TABLE contacts ADD COLUMN sensitive boolean NOT NULL DEFAULT false`);
    await runner.query(`CREATE INDEX contacts_number_idx ON contacts (account_id, e164)`);
    await runner.query(`
      ALTER TABLE carrier_legs
        ADD COLUMN direction text NOT NULL DEFAULT 'outbound' CHECK (direction IN ('outbound', 'inbound'))`);
    await runner.query(`
      ALTER TABLE carrier_requests
        DROP CONSTRAINT carrier_requests_action_check,
        ADD CONSTRAINT carrier_requests_action_check CHECK (action IN ('place', 'hang_up', 'bridge', 'voicemail'))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM carrier_requests WHERE action IN ('bridge', 'voicemail')`);
    await runner.query(`
      ALTER TABLE carrier_requests
        DROP CONSTRAINT carrier_requests_action_check,
        ADD CONSTRAINT carrier_requests_action_check CHECK (action IN ('place', 'hang_up'))`);
    await runner.query(`DELETE FROM carrier_requests r USING carrier_legs l WHERE r.leg_id = l.leg_id AND l.direction = 'inbound'`);
    await runner.query(`DELETE FROM carrier_legs WHERE direction = 'inbound'`);
    await runner.query(`ALTER TABLE carrier_legs DROP COLUMN direction`);
    await runner.query(`DROP INDEX contacts_number_idx`);
    await runner.query(`ALTER TABLE contacts DROP COLUMN sensitive`);
    await runner.query(`DROP INDEX devices_account_idx`);
    await runner.query(`DROP INDEX accounts_msisdn_idx`);
    await runner.query(`
      ALTER TABLE accounts DROP COLUMN last_emergency_at, DROP COLUMN quiet_hours, DROP COLUMN away_until,
        DROP COLUMN away_enabled`);
  }
}
