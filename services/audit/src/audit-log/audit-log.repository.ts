import type { EntityManager } from 'typeorm';
import type { AuditEntry } from './audit-entry';
import { auditWhere, type AuditQuery } from './audit-query';

export interface AuditPage {
  readonly entries: Array<AuditEntry & { readonly seq: string; readonly recordedAt: string }>;
  readonly nextCursor: string | null;
}

/** Appends entries once each: a redelivered event (same id) is a no-op. */
export const appendAuditEntries = async (manager: EntityManager, entries: readonly AuditEntry[]): Promise<number> => {
  if (entries.length === 0) return 0;
  const params: unknown[] = [];
  const rows = entries.map((e) => {
    const values = [e.eventId, e.type, e.source, e.streamId, e.occurredAt, e.correlationId, e.accountId, e.callId, e.memberId, e.deviceId, JSON.stringify(e.envelope)];
    const placeholders = values.map((v) => `$${params.push(v)}`);
    return `(${placeholders.join(', ')})`;
  });
  const inserted: unknown[] = await manager.query(
    `INSERT INTO audit_entries (event_id, type, source, stream_id, occurred_at, correlation_id, account_id, call_id, member_id, device_id, entry)
     VALUES ${rows.join(', ')} ON CONFLICT (event_id) DO NOTHING RETURNING seq`,
    params,
  );
  return inserted.length;
};

interface Row {
  seq: string; event_id: string; type: string; source: string; stream_id: string; occurred_at: Date; recorded_at: Date;
  correlation_id: string; account_id: string | null; call_id: string | null; member_id: string | null; device_id: string | null;
  entry: AuditEntry['envelope'];
}

export const findAuditEntries = async (manager: EntityManager, query: AuditQuery): Promise<AuditPage> => {
  const { where, params } = auditWhere(query);
  const rows: Row[] = await manager.query(
    `SELECT * FROM audit_entries ${where} ORDER BY seq LIMIT $${params.length + 1}`,
    [...params, query.limit + 1],
  );
  const page = rows.slice(0, query.limit);
  return {
    entries: page.map((r) => ({
      seq: String(r.seq), eventId: r.event_id, type: r.type, source: r.source, streamId: r.stream_id,
      occurredAt: r.occurred_at.toISOString(), recordedAt: r.recorded_at.toISOString(), correlationId: r.correlation_id,
      accountId: r.account_id, callId: r.call_id, memberId: r.member_id, deviceId: r.device_id, envelope: r.entry,
    })),
    nextCursor: rows.length > query.limit ? String(page[page.length - 1].seq) : null,
  };
};
