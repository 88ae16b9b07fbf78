import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbound limits (docs/architecture.md section 6.2). The carrier legs are the ledger the limits
 * count — each outbound leg row now says which device placed it, its destination class, and when
 * its call was over (`ended_at`, null while it is live) — so no counter can drift from the calls
 * actually routed, and a decision rolled back counts nothing. Legs routed before this migration
 * take their class from their route's DestinationResolved and their end from their stream.
 *
 * `routing_lock_call_usage` takes the accounts' limit locks, then counts: a PL/pgSQL function
 * because each statement of a VOLATILE function takes a fresh snapshot, so the count runs after
 * the locks are held and sees every leg the previous holder committed — in one round trip. (In one
 * plain statement, the count would read a snapshot taken before it waited for the lock.)
 */
export class RoutingCallLimits1764450000000 implements MigrationInterface {
  readonly name = 'RoutingCallLimits1764450000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE carrier_legs ADD COLUMN device_id text, ADD COLUMN class text, ADD COLUMN ended_at timestamptz`);
    await runner.query(`
      UPDATE carrier_legs l SET class = e.data->>'class'
      FROM es_events e
      WHERE l.direction = 'outbound' AND e.stream_id = 'route-' || l.call_id AND e.type = 'DestinationResolved'`);
    await runner.query(`
      UPDATE carrier_legs l SET ended_at = e.occurred_at
      FROM es_events e
      WHERE e.stream_id = 'leg-' || l.leg_id AND e.type IN ('CarrierLegFailed', 'CarrierLegEnded')`);
    // Each count reads at most about as many rows as its limit allows in its window.
    await runner.query(`
      CREATE INDEX carrier_legs_rate_idx ON carrier_legs (account_id, created_at)
      WHERE direction = 'outbound' AND class <> 'emergency'`);
    await runner.query(`
      CREATE INDEX carrier_legs_budget_idx ON carrier_legs (account_id, class, created_at)
      WHERE class IN ('international', 'premium')`);
    await runner.query(`
      CREATE INDEX carrier_legs_live_idx ON carrier_legs (account_id)
      WHERE direction = 'outbound' AND class <> 'emergency' AND ended_at IS NULL`);
    await runner.query(`
      CREATE FUNCTION routing_lock_call_usage(accounts text[], devices text[], rate_since timestamptz, budget_since timestamptz)
      RETURNS TABLE ("accountId" text, "deviceId" text, device integer, account integer, international integer,
                     premium integer, "liveLegs" integer)
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        -- One lock per account, taken in a fixed order so that two deciders never deadlock.
        PERFORM pg_advisory_xact_lock(k.key)
        FROM (SELECT DISTINCT hashtextextended('routing-call-limits:' || a, 0) AS key FROM unnest(accounts) AS a ORDER BY 1) AS k;
        RETURN QUERY
        SELECT c.account_id, c.device_id,
          (SELECT count(*)::int FROM carrier_legs l WHERE l.account_id = c.account_id AND l.direction = 'outbound'
             AND l.class <> 'emergency' AND l.created_at > rate_since AND l.device_id = c.device_id),
          (SELECT count(*)::int FROM carrier_legs l WHERE l.account_id = c.account_id AND l.direction = 'outbound'
             AND l.class <> 'emergency' AND l.created_at > rate_since),
          (SELECT count(*)::int FROM carrier_legs l
             WHERE l.account_id = c.account_id AND l.class = 'international' AND l.created_at > budget_since),
          (SELECT count(*)::int FROM carrier_legs l
             WHERE l.account_id = c.account_id AND l.class = 'premium' AND l.created_at > budget_since),
          (SELECT count(*)::int FROM carrier_legs l WHERE l.account_id = c.account_id AND l.direction = 'outbound'
             AND l.class <> 'emergency' AND l.ended_at IS NULL)
        FROM unnest(accounts, devices) AS c(account_id, device_id);
      END
      $$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION routing_lock_call_usage(text[], text[], timestamptz, timestamptz)`);
    await runner.query(`DROP INDEX carrier_legs_live_idx`);
    await runner.query(`DROP INDEX carrier_legs_budget_idx`);
    await runner.query(`DROP INDEX carrier_legs_rate_idx`);
    await runner.query(`ALTER TABLE carrier_legs DROP COLUMN ended_at, DROP COLUMN class, DROP COLUMN device_id`);
  }
}
