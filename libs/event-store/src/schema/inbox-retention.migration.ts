import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An index on es_inbox.processed_at, for the sweep that forgets rows older than the inbox's
 * retention (forgetProcessed) in one short range scan. A B-tree, not BRIN: the sweep deletes the
 * oldest rows, new ones fill the pages it frees, and block ranges soon stop following time.
 */
export class InboxRetention1766000000000 implements MigrationInterface {
  readonly name = 'InboxRetention1766000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX es_inbox_processed_at_idx ON es_inbox (processed_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX es_inbox_processed_at_idx`);
  }
}
