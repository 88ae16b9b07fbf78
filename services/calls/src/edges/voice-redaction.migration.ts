import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The requests whose voice embedding is still kept (voice-redaction.ts): the sweep reads them from
 * this partial index, which a blanked request leaves, so it costs no scan of the call history.
 */
export class VoiceRedaction1766100000000 implements MigrationInterface {
  name = 'VoiceRedaction1766100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE INDEX es_events_kept_voices_idx ON es_events (position)
       WHERE type IN ('CallRequested', 'AnswerRequested') AND data #> '{voice,embedding}' <> '[0]'::jsonb`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX es_events_kept_voices_idx`);
  }
}
