import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Step-up approval (docs/architecture.md section 6.2): owners' approver phones, and every approval
 * with its held action. A pending approval that links a device keeps the device's id and key in
 * columns, so verification finds a held device with the linked ones in one indexed statement.
 * Pending approvals are found by expiry (the sweep) through a partial index.
 */
export class StepUpApproval1764000000400 implements MigrationInterface {
  name = 'StepUpApproval1764000000400';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE approvers (
        account_id    uuid NOT NULL REFERENCES accounts,
        approver_id   text NOT NULL,
        member_id     uuid NOT NULL REFERENCES members,
        public_key    bytea NOT NULL,
        registered_at timestamptz NOT NULL,
        PRIMARY KEY (account_id, approver_id)
      )`);
    await runner.query(`
      CREATE TABLE approvals (
        approval_id       uuid PRIMARY KEY,
        account_id        uuid NOT NULL REFERENCES accounts,
        action            jsonb NOT NULL,
        status            text NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
        requested_at      timestamptz NOT NULL,
        expires_at        timestamptz NOT NULL,
        decided_at        timestamptz,
        approver_id       text,
        device_id         text,
        device_public_key bytea
      )`);
    await runner.query(`CREATE INDEX approvals_due_idx ON approvals (expires_at) WHERE status = 'pending'`);
    await runner.query(`CREATE INDEX approvals_held_device_idx ON approvals (device_id) WHERE status = 'pending' AND device_id IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE approvals`);
    await runner.query(`DROP TABLE approvers`);
  }
}
