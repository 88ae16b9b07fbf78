import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When identity's AccountOpened of each household occurred: a line closed (AccountClosed) and
 * opened again by another household has the two households' events on different partitions, read
 * in either order, so routing may know both for a while; the line is the household that opened it
 * last (household-directory.sql.ts lineOf). Rows from before this column have no time: a household
 * opened since wins over them.
 */
export class RoutingLineOpened1766300000000 implements MigrationInterface {
  readonly name = 'RoutingLineOpened1766300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE accounts ADD COLUMN opened_at timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE accounts DROP COLUMN opened_at`);
  }
}
