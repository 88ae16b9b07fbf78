import { simulatedSpeaker } from '@homeline/device-sim';
import { eventually } from '@homeline/testing';
import { createHousehold, spokenRequest, type Household } from '../src/household';
import { startSystem, type RunningSystem } from '../src/running-system';

/**
 * The carrier boundary of docs/carrier-api.md with every part a process of its own: routing speaks
 * the call-control API to the carrier simulator over HTTP (signed, under idempotency keys), and the
 * simulator posts signed webhooks back. Assertions read the carrier's side through its /sim endpoints.
 */
describe('the carrier boundary', () => {
  let system: RunningSystem;
  let home: Household;

  beforeAll(async () => {
    system = await startSystem();
    home = await createHousehold(system.client);
  }, 180_000);
  afterAll(() => system?.stop());

  const place = async (request: ReturnType<typeof spokenRequest>) => {
    const { callId } = await system.client.placeCall(request);
    return system.client.waitForCall(callId, ['connected', 'ended', 'rejected', 'failed']);
  };
  /** The carrier leg routing requested for a call, as its audit trail shows it. */
  const legOf = (callId: string) =>
    eventually(async () => {
      const page = await system.client.auditEntries({ callId, type: 'CarrierLegRequested' });
      expect(page.entries).toHaveLength(1);
      return (page.entries[0] as unknown as { envelope: { data: { legId: string } } }).envelope.data.legId;
    });

  it('places the leg at the carrier once, from the line, and hangs it up there when the owner hangs up', async () => {
    const call = await place(spokenRequest(home, home.members.Alex.voice, 'Mom'));
    expect(call.status).toBe('connected');
    const legId = await legOf(call.callId);
    expect(await system.carrier.leg(legId)).toMatchObject({
      state: 'answered',
      placeRequests: 1,
      order: { callId: call.callId, e164: '+15550100001', callerId: home.msisdn, emergency: false },
      reported: [expect.objectContaining({ status: 'ringing', sequence: 1 }), expect.objectContaining({ status: 'answered', sequence: 2 })],
    });
    await system.client.hangUp(call.callId);
    await eventually(async () => expect((await system.carrier.leg(legId))?.state).toBe('ended'));
  });

  it('gives the carrier the dispatchable address of an emergency call', async () => {
    const call = await place(spokenRequest(home, simulatedSpeaker('someone unknown'), '911'));
    expect(call.status).toBe('connected');
    const leg = await system.carrier.leg(await legOf(call.callId));
    expect(leg?.order).toMatchObject({
      e164: '911',
      emergency: true,
      dispatchable: { address: { line1: '12 Elm Street', postalCode: '62701' }, location: { room: 'kitchen', floor: '1' } },
    });
    await system.client.hangUp(call.callId);
  });

  it('ends the call when the far end hangs up at the carrier', async () => {
    const call = await place(spokenRequest(home, home.members.Alex.voice, 'Pizza Place'));
    const leg = await system.carrier.leg(await legOf(call.callId));
    const hungUp = await system.carrier.hangUp(leg!.carrierCallId);
    expect(hungUp).toMatchObject({ state: 'ended', routing: { status: 204 } });
    // With the SIP code and Q.850 cause the carrier gave for the far end's release.
    expect(await system.client.waitForCall(call.callId)).toMatchObject({ status: 'ended', reason: 'remote_hung_up', sipCode: 200, q850: 16 });
  });

  it('connects through a carrier that answers 503 for a while: each refused request is sent again under its key', async () => {
    const since = (await system.carrier.requests()).length;
    await system.carrier.addFaults({ count: 2, status: 503 });
    const call = await place(spokenRequest(home, home.members.Alex.voice, 'Mom'));
    expect(call.status).toBe('connected');
    const legId = await legOf(call.callId);
    expect((await system.carrier.leg(legId))?.placeRequests).toBe(1);
    const requests = (await system.carrier.requests()).slice(since);
    expect(requests.filter((r) => r.outcome === 503)).toHaveLength(2);
    for (const refused of requests.filter((r) => r.outcome === 503))
      expect(requests.some((r) => r.idempotencyKey === refused.idempotencyKey && typeof r.outcome === 'number' && r.outcome < 300)).toBe(true);
    await system.client.hangUp(call.callId);
  });
});
