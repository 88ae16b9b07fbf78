import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * es_conflict(): raises SQLSTATE HL409 naming the stream, the version expected and the one found.
 * The append statement calls it when a stream is not where the writer read it, so the WHOLE
 * statement fails — its inbox rows and companion writes with it — and a unit of work can be one
 * statement, with no BEGIN/COMMIT around it (store/append.ts).
 */
export class StreamConflict1764300000000 implements MigrationInterface {
  readonly name = 'StreamConflict1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION es_conflict(stream text, expected integer, actual integer, in_order boolean) RETURNS boolean
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION USING
          ERRCODE = 'HL409',
          MESSAGE = format('stream %s: expected version %s, found %s', stream, coalesce(expected::text, 'any'), actual),
          DETAIL = json_build_object('stream', stream, 'expected', expected, 'actual', actual, 'inOrder', in_order)::text;
      END $$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION es_conflict(text, integer, integer, boolean)`);
  }
}
