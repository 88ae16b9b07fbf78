import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What routing's copy of the registry forgot on identity's word (an unlinked speaker, a removed
 * member, a closed account), for a day: a call naming one is refused at once instead of waiting, as
 * for a registry that lags, for identity to tell routing about it (route-calls.ts awaitRegistry).
 */
export class RoutingForgotten1766400000000 implements MigrationInterface {
  readonly name = 'RoutingForgotten1766400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE registry_forgotten (
        kind         text NOT NULL CHECK (kind IN ('account', 'device', 'member')),
        id           text NOT NULL,
        forgotten_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, id)
      )`);
    await runner.query(`CREATE INDEX registry_forgotten_at_idx ON registry_forgotten (forgotten_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE registry_forgotten`);
  }
}
