import { createHash } from 'node:crypto';
import type { Envelope } from '@homeline/contracts';
import { toAuditEntry } from './audit-entry';

const envelope = (data: Record<string, unknown>): Envelope => ({
  id: '0b7c9a43-5d5e-4c1c-9f55-2b1f4a0a7c11', type: 'CallRequested', source: 'calls', streamId: 'call-c1', streamVersion: 1,
  occurredAt: '2026-11-24T12:00:00.000Z', correlationId: 'c1', causationId: null, accountId: null, data,
});

describe('an audit entry', () => {
  it('lifts the call, member and device out of the event for compliance queries', () => {
    const entry = toAuditEntry(envelope({ callId: 'c1', memberId: 'm1', deviceId: 'd1', accountId: 'a1' }));
    expect(entry).toMatchObject({ callId: 'c1', memberId: 'm1', deviceId: 'd1', accountId: 'a1', type: 'CallRequested' });
  });

  it('keeps a voice embedding only as its hash and size, never the biometric itself', () => {
    const embedding = [0.25, -0.5, 0.125];
    const entry = toAuditEntry(envelope({ callId: 'c1', voice: { nonce: 'n1', liveness: 0.9, embedding } }));
    expect(entry.envelope.data.voice).toEqual({
      nonce: 'n1', liveness: 0.9,
      embedding: { sha256: createHash('sha256').update(JSON.stringify(embedding)).digest('hex'), dimensions: 3 },
    });
  });
});
