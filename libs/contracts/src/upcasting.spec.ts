import { z } from 'zod';
import { createEventParser } from './registry';
import { upcast, versionedType, type Upcaster } from './upcasting';

// A worked example of the versioning convention: CallEnded (duration in seconds) becomes
// CallEnded.v2 (durationMs, and who ended it). Old events are read as v2.
const callEndedV2 = z.object({
  callId: z.string(),
  durationMs: z.number(),
  endedBy: z.enum(['caller', 'callee', 'unknown']),
});
const callEndedToV2: Upcaster = {
  from: 'CallEnded',
  to: versionedType('CallEnded', 2),
  up: (data) => ({ callId: data.callId, durationMs: Number(data.duration) * 1000, endedBy: 'unknown' }),
};

const stored = {
  id: '6f1c2a7e-1d5b-4a43-9c39-0d2f8f3c9a11',
  type: 'CallEnded',
  source: 'calls',
  streamId: 'call-1',
  streamVersion: 5,
  occurredAt: '2026-11-24T18:00:00.000Z',
  correlationId: 'call-1',
  causationId: null,
  accountId: null,
  data: { callId: 'call-1', duration: 42, cause: 'hung_up', endedAt: '2026-11-24T18:00:00.000Z' },
};

describe('an event whose shape changed', () => {
  it('is read in its newest version when an old one comes in', () => {
    const parser = createEventParser({ 'CallEnded.v2': callEndedV2 }, [callEndedToV2]);
    const event = parser.parse(stored);
    expect(event.type).toBe('CallEnded.v2');
    expect(event.data).toEqual({ callId: 'call-1', durationMs: 42_000, endedBy: 'unknown' });
    expect(event.streamVersion).toBe(5);
  });

  it('passes the newest version through untouched', () => {
    const v2 = { ...stored, type: 'CallEnded.v2', data: { callId: 'call-1', durationMs: 1, endedBy: 'caller' } };
    expect(upcast(v2, [callEndedToV2])).toBe(v2);
  });

  it('chains upcasters across several versions', () => {
    const toV3: Upcaster = { from: 'CallEnded.v2', to: 'CallEnded.v3', up: (d) => ({ ...d, v3: true }) };
    expect(upcast(stored, [toV3, callEndedToV2]).data).toMatchObject({ durationMs: 42_000, v3: true });
  });

  it('refuses a chain that loops', () => {
    const back: Upcaster = { from: 'CallEnded.v2', to: 'CallEnded', up: (d) => d };
    expect(() => upcast(stored, [callEndedToV2, back])).toThrow(/loop/);
  });
});
