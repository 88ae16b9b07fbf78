import { toCallView } from './call-view';

const at = (s: number) => new Date(Date.UTC(2026, 10, 24, 12, 0, s)).toISOString();
const voice = { deviceId: 'd1', purpose: 'place-call' as const, subject: 'Mom', nonce: 'n-12345678', issuedAt: at(0), liveness: 0.97, embedding: [0.1, 0.2], signature: 'sig' };

const requested = { type: 'CallRequested', occurredAt: at(0), data: { callId: 'c1', direction: 'outbound', deviceId: 'd1', target: 'Mom', voice, requestedAt: at(0), deadline: at(5) } } as const;
const routing = { type: 'CallRouting', occurredAt: at(1), data: { callId: 'c1', accountId: 'a1', deviceId: 'd1', target: 'Mom', verified: true, memberId: 'm1', assurance: 'standard', speakerRejection: null, deadline: at(6) } } as const;
const routed = { type: 'CallRouted', occurredAt: at(2), data: { callId: 'c1', class: 'domestic', e164: '+15550100001', deadline: at(12) } } as const;
const ringing = { type: 'CallRinging', occurredAt: at(3), data: { callId: 'c1', deadline: at(48) } } as const;
const connected = { type: 'CallConnected', occurredAt: at(4), data: { callId: 'c1', memberId: 'm1', deviceId: 'd1', e164: '+15550100001', connectedAt: at(4) } } as const;
const ended = { type: 'CallEnded', occurredAt: at(64), data: { callId: 'c1', duration: 60, cause: 'hung_up', endedAt: at(64) } } as const;

describe('the view of a call', () => {
  it('does not exist before the call was requested', () => {
    expect(toCallView('c1', [])).toBeNull();
  });

  it('shows a call waiting for identity as verifying, without the voice assertion', () => {
    const view = toCallView('c1', [requested]);
    expect(view).toMatchObject({ callId: 'c1', status: 'verifying', deviceId: 'd1', target: 'Mom' });
    expect(view!.timeline[0].data).not.toHaveProperty('voice');
  });

  it('keeps who spoke and where the call went after it has ended', () => {
    const view = toCallView('c1', [requested, routing, routed, ringing, connected, ended]);
    expect(view).toMatchObject({ status: 'ended', reason: 'hung_up', memberId: 'm1', destination: { class: 'domestic', e164: '+15550100001' } });
    expect(view!.timeline.map((e) => e.type)).toEqual(['CallRequested', 'CallRouting', 'CallRouted', 'CallRinging', 'CallConnected', 'CallEnded']);
  });

  it('shows the SIP code and Q.850 cause of the far end’s release', () => {
    const released = { ...ended, data: { ...ended.data, cause: 'remote_hung_up', sipCode: 200, q850: 16 } } as const;
    expect(toCallView('c1', [requested, routing, routed, ringing, connected, released])).toMatchObject({ status: 'ended', reason: 'remote_hung_up', sipCode: 200, q850: 16 });
    expect(toCallView('c1', [requested, routing, routed, ringing, connected, ended])).not.toHaveProperty('sipCode');
  });

  it('gives the stable reason of a refused call', () => {
    const rejected = { type: 'CallRejected', occurredAt: at(1), data: { callId: 'c1', reason: 'replayed_assertion', rejectedAt: at(1) } } as const;
    expect(toCallView('c1', [requested, rejected])).toMatchObject({ status: 'rejected', reason: 'replayed_assertion' });
  });
});
