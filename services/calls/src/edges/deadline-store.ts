import { rawQuery, type Companion } from '@homeline/event-store';
import type { DataSource, EntityManager } from 'typeorm';
import type { Deadline, DeadlineStore } from '../application/call-writes';

/**
 * call_deadlines: one row per waiting call with the time its current step expires. Written in the
 * statement of the call's events, read by the DeadlineScheduler. `onScheduled` tells the local
 * scheduler of a deadline sooner than it may be sleeping for.
 */
export class SqlDeadlineStore implements DeadlineStore {
  onScheduled: (earliest: Date) => void = () => undefined;

  companions(deadlines: readonly Deadline[]): Companion[] {
    const due = deadlines.filter((d) => d.dueAt !== null);
    const cleared = deadlines.filter((d) => d.dueAt === null).map((d) => d.callId);
    const companions: Companion[] = [];
    if (due.length) {
      companions.push({
        sql: `INSERT INTO call_deadlines (call_id, due_at) SELECT * FROM unnest($1::text[], $2::timestamptz[])
              ON CONFLICT (call_id) DO UPDATE SET due_at = excluded.due_at`,
        params: [due.map((d) => d.callId), due.map((d) => d.dueAt)],
      });
    }
    if (cleared.length) companions.push({ sql: `DELETE FROM call_deadlines WHERE call_id = ANY($1::text[])`, params: [cleared] });
    return companions;
  }

  scheduled(deadlines: readonly Deadline[]): void {
    const due = deadlines.filter((d) => d.dueAt !== null).map((d) => Date.parse(d.dueAt!));
    if (due.length) this.onScheduled(new Date(Math.min(...due)));
  }

  /** Calls whose deadline has passed by the database's clock, with that clock's now. */
  async due(db: DataSource, limit: number): Promise<{ now: Date; callIds: string[] }> {
    const rows: { call_id: string | null; now: Date }[] = await rawQuery(
      db.manager,
      'calls_due_deadlines_v1',
      `SELECT d.call_id, clock.now FROM (SELECT now() AS now) clock
       LEFT JOIN LATERAL (SELECT call_id FROM call_deadlines WHERE due_at <= clock.now ORDER BY due_at LIMIT $1) d ON true`,
      [limit],
    );
    return { now: rows[0].now, callIds: rows.filter((r) => r.call_id !== null).map((r) => r.call_id!) };
  }

  /** The next deadline of any call, and the database's clock now (to arm a timer against). */
  async next(db: DataSource): Promise<{ now: Date; at: Date | null }> {
    const [row]: { now: Date; at: Date | null }[] = await rawQuery(
      db.manager,
      'calls_next_deadline_v1',
      `SELECT now() AS now, (SELECT min(due_at) FROM call_deadlines) AS at`,
      [],
    );
    return row;
  }

  /** Drops deadlines that passed without changing their call (the step it awaited is over). */
  async dropPassed(tx: EntityManager, callIds: readonly string[], now: Date): Promise<void> {
    if (callIds.length) await tx.query(`DELETE FROM call_deadlines WHERE call_id = ANY($1::text[]) AND due_at <= $2`, [callIds, now]);
  }
}
