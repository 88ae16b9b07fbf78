import { CallRefused, type StatusReport } from './call';
import { SimulatedCarrier } from './calls';

const order = (legId: string, e164 = '+12125550100') => ({
  legId,
  callId: `call-${legId}`,
  e164,
  callerId: '+15551230001',
  emergency: false,
});

/** A carrier whose webhooks land in `reported`, its steps due at once. */
const carrier = (behaviours: Record<string, 'answer' | 'busy' | 'no_answer' | 'fail' | 'ring'> = {}) => {
  const reported: StatusReport[] = [];
  let next = 0;
  const sim = new SimulatedCarrier({
    behaviours,
    defaultBehaviour: 'answer',
    stepMs: 0,
    report: async (report) => void reported.push(report),
    newId: () => String(++next),
    now: () => new Date('2026-11-27T10:00:00Z'),
  });
  return { sim, reported };
};

const settled = () => new Promise((resolve) => setTimeout(resolve, 20));
const statuses = (reported: StatusReport[]) =>
  reported.map((r) => `${r.sequence} ${r.status}${r.sipCode ? ` ${r.sipCode}` : ''}${r.q850 ? `/${r.q850}` : ''}`);

describe('the simulated carrier', () => {
  it('plays each behaviour as the old in-process simulator did, in sequence', async () => {
    const { sim, reported } = carrier({ '+1212555486': 'busy', '+1212555480': 'no_answer', '+1212555503': 'fail' });
    for (const [legId, e164] of [
      ['a', '+12125550100'],
      ['b', '+1212555486'],
      ['c', '+1212555480'],
      ['d', '+1212555503'],
    ])
      sim.place(order(legId, e164));
    await settled();
    const of = (legId: string) => statuses(reported.filter((r) => r.legId === legId));
    expect(of('a')).toEqual(['1 ringing 180', '2 answered 200']);
    expect(of('b')).toEqual(['1 busy 486/17']);
    expect(of('c')).toEqual(['1 ringing 180', '2 no_answer 480/19']);
    expect(of('d')).toEqual(['1 failed 503/41']);
    expect(sim.byLegId('a')?.state).toBe('answered');
    expect(sim.byLegId('b')?.state).toBe('ended');
  });

  it('places a leg asked for twice once', async () => {
    const { sim, reported } = carrier();
    const first = sim.place(order('leg-1'));
    const again = sim.place(order('leg-1'));
    expect(first.created).toBe(true);
    expect(again).toEqual({ call: first.call, created: false });
    expect(first.call.placeRequests).toBe(2);
    await settled();
    expect(statuses(reported)).toEqual(['1 ringing 180', '2 answered 200']);
  });

  it('reports a hang-up as completed once, and stops the script of a leg still ringing', async () => {
    const { sim, reported } = carrier({ '+12125550180': 'ring' });
    const { call } = sim.place(order('leg-1', '+12125550180'));
    await settled();
    sim.hangUp(call.carrierCallId);
    sim.hangUp(call.carrierCallId);
    await settled();
    expect(statuses(reported)).toEqual(['1 ringing 180', '2 completed 200/16']);
  });

  it('bridges an offered inbound call to one device, the same bridge again being a no-op', () => {
    const { sim } = carrier();
    const call = sim.offer({ from: '+15550100123', to: '+15551230001' });
    expect(sim.bridge(call.carrierCallId, 'kitchen').state).toBe('bridged');
    expect(sim.bridge(call.carrierCallId, 'kitchen').bridgedTo).toBe('kitchen');
    expect(() => sim.bridge(call.carrierCallId, 'bedroom')).toThrow(
      expect.objectContaining({ status: 409, code: 'already_bridged' }),
    );
    expect(() => sim.sendToVoicemail(call.carrierCallId, 'no_answer')).toThrow(CallRefused);
  });

  it('sends an offered call to voicemail, after which it cannot be bridged', () => {
    const { sim } = carrier();
    const call = sim.offer({ from: '+15550100123', to: '+15551230001' });
    expect(sim.sendToVoicemail(call.carrierCallId, 'away_mode')).toMatchObject({
      state: 'voicemail',
      voicemailReason: 'away_mode',
    });
    expect(sim.sendToVoicemail(call.carrierCallId, 'away_mode').state).toBe('voicemail');
    expect(() => sim.bridge(call.carrierCallId, 'kitchen')).toThrow(expect.objectContaining({ code: 'in_voicemail' }));
  });

  it('reports the caller hanging up as canceled while offered and completed once bridged, without a leg id', async () => {
    const { sim, reported } = carrier();
    const ringing = sim.offer({ from: '+15550100123', to: '+15551230001' });
    const bridged = sim.offer({ from: '+15550100124', to: '+15551230001' });
    sim.bridge(bridged.carrierCallId, 'kitchen');
    await sim.remoteHangUp(ringing.carrierCallId).delivery;
    await sim.remoteHangUp(bridged.carrierCallId).delivery;
    expect(reported.map((r) => [r.carrierCallId, r.status, r.sipCode, 'legId' in r])).toEqual([
      [ringing.carrierCallId, 'canceled', 487, false],
      [bridged.carrierCallId, 'completed', 200, false],
    ]);
    expect(() => sim.remoteHangUp(ringing.carrierCallId)).toThrow(expect.objectContaining({ code: 'call_ended' }));
  });

  it('refuses operations on calls it does not know, and inbound operations on an outbound leg', () => {
    const { sim } = carrier();
    expect(() => sim.hangUp('sim-nope')).toThrow(expect.objectContaining({ status: 404, code: 'unknown_call' }));
    const { call } = sim.place(order('leg-1'));
    expect(() => sim.bridge(call.carrierCallId, 'kitchen')).toThrow(
      expect.objectContaining({ status: 409, code: 'not_inbound' }),
    );
  });
});
