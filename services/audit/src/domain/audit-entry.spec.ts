import type { Envelope } from '@homeline/contracts';
import { columnsOf, keyScopeOf, mentionsOf } from './audit-entry';

const envelope = (accountId: string | null, data: Record<string, unknown>): Envelope => ({
  id: '0b7c9a43-5d5e-4c1c-9f55-2b1f4a0a7c11', type: 'CallRequested', source: 'calls', streamId: 'call-c1', streamVersion: 1,
  occurredAt: '2026-11-24T12:00:00.000Z', correlationId: 'c1', causationId: null, accountId, data,
});

describe('whose key seals an entry', () => {
  it('is the account the event names', () => {
    expect(keyScopeOf(envelope('a1', { callId: 'c1' }), undefined)).toBe('account:a1');
    expect(keyScopeOf(envelope(null, { accountId: 'a2' }), 'a3')).toBe('account:a2');
  });

  it('is the account its call or device was linked to, when the event names no account (a call before identity answered)', () => {
    expect(keyScopeOf(envelope(null, { callId: 'c1', deviceId: 'd1' }), 'a1')).toBe('account:a1');
  });

  it('is the device itself when no link is known yet, so an erasure that learns the link later still reaches it', () => {
    expect(keyScopeOf(envelope(null, { callId: 'c1', deviceId: 'd1' }), undefined)).toBe('device:d1');
    expect(keyScopeOf(envelope(null, {}), undefined)).toBe('stream:call-c1');
  });
});

describe('the columns a query filters on', () => {
  it('come from the entry alone, the account from the key that sealed it', () => {
    const entry = { event: envelope(null, { callId: 'c1', deviceId: 'd1', memberId: { $sealed: 'x' } }), keyScope: 'account:a1', receivedAt: '2026-11-24T12:00:01.000Z' };
    expect(columnsOf(entry)).toEqual({ eventId: entry.event.id, type: 'CallRequested', source: 'calls', occurredAt: '2026-11-24T12:00:00.000Z', accountId: 'a1', callId: 'c1', memberId: null, deviceId: 'd1',
      mentions: { members: [], devices: ['d1'] },
    });
  });

  it('name every member and device it holds under a key ending in memberId or deviceId, at any depth', () => {
    expect(mentionsOf({ callId: 'c1', accountId: 'a1', ownerMemberId: 'owner', e164: { $sealed: 'x' } })).toEqual({ members: ['owner'], devices: [] });
    const approval = { approvalId: 'p1', action: { type: 'change_member', memberId: 'teen', raises: [{ grant: 'premium' }] } };
    expect(mentionsOf(approval)).toEqual({ members: ['teen'], devices: [] });
    expect(mentionsOf({ approvalId: 'p2', action: { type: 'link_device', deviceId: 'speaker', name: { $sealed: 'x' } } })).toEqual({ members: [], devices: ['speaker'] });
    expect(mentionsOf({ memberId: 'owner', action: { memberId: 'owner' }, items: [{ deviceId: 'b' }, { deviceId: 'a' }] })).toEqual({ members: ['owner'], devices: ['a', 'b'] });
  });

  it('leave out a value longer than any id Homeline issues: no entry is found by it, and no index could hold it', () =>
    expect(mentionsOf({ deviceId: 'kitchen', voice: { deviceId: 'x'.repeat(4096) } })).toEqual({ members: [], devices: ['kitchen'] }));
});
