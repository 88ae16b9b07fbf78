import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbound calls (docs/architecture.md section 6.1): an account's Away Mode and quiet hours, a
 * contact's sensitive flag, and owners' new default grant `answer_sensitive` in the read table
 * (the verification reads role and overrides, so only what GET shows depends on this last step).
 */
export class HouseholdPolicies1764000000200 implements MigrationInterface {
  name = 'HouseholdPolicies1764000000200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE accounts
        ADD COLUMN away_enabled boolean NOT NULL DEFAULT false,
        ADD COLUMN away_until   timestamptz,
        ADD COLUMN quiet_hours  jsonb NOT NULL DEFAULT '[]'`);
    await runner.query(`ALTER TABLE contacts ADD COLUMN sensitive boolean NOT NULL DEFAULT false`);
    await runner.query(`
      UPDATE members SET grants = array_append(grants, 'answer_sensitive')
      WHERE role = 'owner' AND NOT 'answer_sensitive' = ANY (grants) AND NOT overrides->'revoke' ? 'answer_sensitive'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`UPDATE members SET grants = array_remove(grants, 'answer_sensitive')`);
    await runner.query(`ALTER TABLE contacts DROP COLUMN sensitive`);
    await runner.query(`ALTER TABLE accounts DROP COLUMN away_enabled, DROP COLUMN away_until, DROP COLUMN quiet_hours`);
  }
}
