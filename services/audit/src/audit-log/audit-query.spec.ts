import { auditQuerySchema, auditWhere } from './audit-query';

describe('an audit query', () => {
  it('filters by call id and pages after the cursor, with every value bound as a parameter', () => {
    const query = auditQuerySchema.parse({ callId: "c-1'; DROP TABLE x; --", cursor: '42', limit: '10' });
    expect(auditWhere(query)).toEqual({ where: 'WHERE call_id = $1 AND seq > $2', params: ["c-1'; DROP TABLE x; --", '42'] });
    expect(query.limit).toBe(10);
  });

  it('combines subject, type and time-range filters', () => {
    const query = auditQuerySchema.parse({ accountId: 'a', memberId: 'm', type: 'CallConnected', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' });
    const { where, params } = auditWhere(query);
    expect(where).toBe('WHERE account_id = $1 AND member_id = $2 AND type = $3 AND occurred_at >= $4 AND occurred_at < $5');
    expect(params).toEqual(['a', 'm', 'CallConnected', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z']);
  });

  it('refuses a cursor that was not handed out and a page size out of range', () => {
    expect(auditQuerySchema.safeParse({ cursor: '1 OR 1=1' }).success).toBe(false);
    expect(auditQuerySchema.safeParse({ limit: '5000' }).success).toBe(false);
  });

  it('lists everything from the start when no filter is given', () => {
    expect(auditWhere(auditQuerySchema.parse({}))).toEqual({ where: '', params: [] });
  });
});
