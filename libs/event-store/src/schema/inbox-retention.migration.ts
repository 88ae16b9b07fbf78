import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A BRIN index on es_inbox.processed_at, for the sweep that forgets rows older than the inbox's
 * retention (forgetProcessed): rows are inserted in processed_at order, so a block range summary
 * finds the old ones at a fraction of a B-tree's cost on every insert.
 */
export class InboxRetention1766000000000 implements MigrationInterface {
  readonly name = 'InboxRetention1766000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX es_inbox_processed_at_brin ON es_inbox USING brin (processed_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX es_inbox_processed_at_brin`);
  }
}
