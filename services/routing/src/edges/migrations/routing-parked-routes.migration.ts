import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Calls handed over before routing's projection of identity's registry knew their household (a
 * speaker linked, or a member added, a moment before its first call): each waits here, its
 * CallRouting as consumed, until the registry catches up or the call ends (route-calls.ts).
 * `parked_at` is when the call was handed over; a call parked longer than any deadline of calls
 * is forgotten.
 */
export class RoutingParkedRoutes1765700000000 implements MigrationInterface {
  readonly name = 'RoutingParkedRoutes1765700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE parked_routes (
        call_id text PRIMARY KEY,
        event jsonb NOT NULL,
        traceparent text,
        parked_at timestamptz NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE parked_routes`);
  }
}
