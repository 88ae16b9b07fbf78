import type { IntegrationEvent } from '@homeline/contracts';
import { rawQuery } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import type { ParkedRoute, ParkedRoutes } from '../../application/ports';

const parkSql = `
WITH forgotten AS (DELETE FROM parked_routes WHERE parked_at < $5)
INSERT INTO parked_routes (call_id, event, traceparent, parked_at)
SELECT * FROM unnest($1::text[], $2::jsonb[], $3::text[], $4::timestamptz[])
ON CONFLICT (call_id) DO NOTHING`;

/** The calls waiting for routing's projection of identity's registry (routing-parked-routes.migration.ts). */
export class SqlParkedRoutes implements ParkedRoutes {
  async lock(tx: EntityManager): Promise<void> {
    await rawQuery(tx, 'routing_lock_parked_routes_v1', `SELECT pg_advisory_xact_lock(hashtextextended('routing:parked-routes', 0))`, []);
  }

  async park(tx: EntityManager, routes: readonly ParkedRoute[], forgetBefore: Date): Promise<void> {
    await rawQuery(tx, 'routing_park_routes_v1', parkSql, [
      routes.map((r) => r.event.data.callId),
      routes.map((r) => JSON.stringify(r.event)),
      routes.map((r) => r.traceparent),
      routes.map((r) => r.event.occurredAt),
      forgetBefore,
    ]);
  }

  async takeAll(tx: EntityManager): Promise<ParkedRoute[]> {
    const rows = await rawQuery<{ event: IntegrationEvent<'CallRouting'>; traceparent: string | null; parked_at: Date }>(
      tx,
      'routing_take_parked_routes_v1',
      `DELETE FROM parked_routes RETURNING event, traceparent, parked_at`,
      [],
    );
    return rows
      .sort((a, b) => a.parked_at.getTime() - b.parked_at.getTime())
      .map(({ event, traceparent }) => ({ event, traceparent }));
  }
}
