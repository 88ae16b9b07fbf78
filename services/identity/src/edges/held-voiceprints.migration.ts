import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A voiceprint enrolled while the household has an approver waits for an owner's approval like a
 * device (docs/architecture.md section 6.2): its sealed embedding is kept here, under its approval,
 * where verification never reads, and moves into voiceprints only when approved.
 */
export class HeldVoiceprints1765600000500 implements MigrationInterface {
  name = 'HeldVoiceprints1765600000500';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE held_voiceprints (
        approval_id   uuid PRIMARY KEY,
        voiceprint_id uuid NOT NULL,
        member_id     uuid NOT NULL REFERENCES members,
        account_id    uuid NOT NULL REFERENCES accounts,
        sealed        bytea NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE held_voiceprints`);
  }
}
