import { eventSource, parseEvent, safeParseEvent, type IntegrationEvent } from './index';

const envelope = (type: string, data: Record<string, unknown>) => ({
  id: '6f1c2a7e-1d5b-4a43-9c39-0d2f8f3c9a11',
  type,
  source: 'calls',
  streamId: 'call-1',
  streamVersion: 3,
  occurredAt: '2026-11-24T18:00:00.000Z',
  correlationId: 'call-1',
  causationId: null,
  accountId: 'acc-1',
  data,
});

describe('parsing an integration event', () => {
  it('accepts a well-formed CallEnded and narrows its data by type', () => {
    const event: IntegrationEvent = parseEvent(
      envelope('CallEnded', { callId: 'call-1', duration: 42, cause: 'hung_up', endedAt: '2026-11-24T18:01:00Z' }),
    );
    if (event.type !== 'CallEnded') throw new Error('expected CallEnded');
    expect(event.data.duration).toBe(42);
  });

  it('refuses an unknown type with a reason a dead-letter header can carry', () => {
    expect(safeParseEvent(envelope('CallTeleported', {}))).toEqual({
      ok: false,
      reason: 'unknown event type CallTeleported',
    });
  });

  it('refuses data that breaks the schema and names the field', () => {
    const result = safeParseEvent(
      envelope('CallRejected', { callId: 'call-1', reason: 'because', rejectedAt: '2026-11-24T18:00:00Z' }),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^CallRejected: reason/);
  });

  it('refuses a broken envelope before looking at the data', () => {
    const result = safeParseEvent({ ...envelope('CallEnded', {}), id: 'not-a-uuid' });
    expect(!result.ok && result.reason).toMatch(/^envelope: id/);
  });

  it('throws a typed error from parseEvent', () => {
    expect(() => parseEvent(envelope('Nope', {}))).toThrow(expect.objectContaining({ code: 'invalid_event' }));
  });

  it('knows which service publishes each event', () => {
    expect(eventSource.CallRequested).toBe('calls');
    expect(eventSource.SpeakerVerified).toBe('identity');
    expect(eventSource.CarrierLegAnswered).toBe('routing');
  });
});

describe('a held action (ApprovalRequested)', () => {
  const requested = (action: Record<string, unknown>) => ({
    ...envelope('ApprovalRequested', {
      approvalId: 'ap-1', accountId: 'acc-1', action, requestedAt: '2026-11-24T18:00:00.000Z', expiresAt: '2026-11-24T18:10:00.000Z',
    }),
    source: 'identity',
    streamId: 'account-acc-1',
  });

  it('carries the action as the request asked for it, for the push service and for applying it once approved', () => {
    const event = parseEvent(requested({ type: 'link_device', deviceId: 'den', name: 'Den', publicKey: 'AAAA', location: null }));
    expect(event).toMatchObject({ type: 'ApprovalRequested', source: 'identity', data: { action: { type: 'link_device', deviceId: 'den' } } });
    expect(eventSource.ApprovalDecided).toBe('identity');
  });

  it('refuses an action it does not know, and a member change that raises nothing', () => {
    expect(safeParseEvent(requested({ type: 'wire_money', amount: 1 })).ok).toBe(false);
    expect(safeParseEvent(requested({ type: 'change_member', memberId: 'm-1', grant: ['domestic'], raises: [] })).ok).toBe(false);
  });
});
