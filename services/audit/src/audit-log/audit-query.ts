import { z } from 'zod';

/** Query filters of GET /v1/audit/entries. Cursor paging runs on the log's sequence number. */
export const auditQuerySchema = z.object({
  callId: z.string().min(1).optional(),
  accountId: z.string().min(1).optional(),
  memberId: z.string().min(1).optional(),
  deviceId: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().regex(/^\d+$/, 'cursor is the opaque value of a previous page').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export type AuditQuery = z.infer<typeof auditQuerySchema>;

const columns = {
  callId: 'call_id',
  accountId: 'account_id',
  memberId: 'member_id',
  deviceId: 'device_id',
  type: 'type',
} as const;

/** Builds the WHERE clause and parameters for a query; values are always bound, never interpolated. */
export const auditWhere = (query: AuditQuery): { where: string; params: unknown[] } => {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  for (const [key, column] of Object.entries(columns)) {
    const value = query[key as keyof typeof columns];
    if (value !== undefined) add(`${column} = ?`, value);
  }
  if (query.from) add('occurred_at >= ?', query.from);
  if (query.to) add('occurred_at < ?', query.to);
  if (query.cursor) add('seq > ?', query.cursor);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
};
