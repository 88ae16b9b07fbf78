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
