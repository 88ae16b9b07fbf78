import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When each waiting call's current step expires; the deadline scheduler polls it. */
export class CallDeadlines1764000000200 implements MigrationInterface {
  name = 'CallDeadlines1764000000200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE call_deadlines (call_id text PRIMARY KEY, due_at timestamptz NOT NULL)`);
    await runner.query(`CREATE INDEX call_deadlines_due_idx ON call_deadlines (due_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE call_deadlines`);
  }
}
