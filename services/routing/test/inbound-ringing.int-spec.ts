import { Topics, type Envelope } from '@homeline/contracts';
import { eventually, lockWaiters } from '@homeline/testing';
import { HouseholdEvents } from './support/household';
import { callerHungUp, callsSays, carrierCallId, freshLine, offerCall, offeredCallId } from './support/inbound';
import { inboundLegId } from '../src/application/streams';
import { RoutingHarness } from './support/routing-harness';

const rings = ['InboundCallOffered', 'DeviceRingRequested', 'DeviceRingRequested', 'DeviceRingRequested'];
/** [deviceId, reason] of each DeviceRingCancelled, by device id (devices ring and stop in device id order). */
const cancellations = (events: Envelope[]) =>
  events
    .filter((e) => e.type === 'DeviceRingCancelled')
    .map((e) => e.data as { deviceId: string; reason: string })
    .map(({ deviceId, reason }) => [deviceId, reason])
    .sort();
const each = (devices: string[], reason: string) => devices.map((d) => [d, reason]).sort();

describe('a ringing inbound call: who stops ringing, and when (calls’ verdicts over Kafka, the carrier’s hang-up over HTTP)', () => {
  let routing: RoutingHarness;
  const home = new HouseholdEvents(freshLine(), 'America/New_York');
  const [kitchen, hall, attic] = [home.device({ room: 'Kitchen' }), home.device({ room: 'Hall' }), home.device({ room: 'Attic' })];
  const { accountId } = home;

  beforeAll(async () => {
    routing = await RoutingHarness.start();
    await routing.publish(...home.events);
    await routing.untilProjected(accountId, home.counts());
  });
  afterAll(() => routing?.stop());

  /** A caller dials the line through the carrier (the simulator), so the carrier knows the call it is asked to bridge. */
  const ringingCall = async () => {
    const offered = await routing.carrier.offerInbound({ from: '+12125550142', to: home.msisdn });
    const callId = String((offered.routing.body as { callId: string }).callId);
    await routing.waitFor(callId, rings);
    return { callId, carrier: offered.carrierCallId };
  };
  /** Another call's event under `after`'s Kafka key: once routing shows its effect, everything before it was consumed. */
  const marker = async (after: Envelope) => {
    const other = await ringingCall();
    return { callId: other.callId, event: { ...callsSays.connected(accountId, other.callId, kitchen), streamId: after.streamId } };
  };
  const metric = async (pattern: RegExp) => Number(((await (await fetch(`${routing.baseUrl}/metrics`)).text()).match(pattern) ?? [])[1] ?? 0);

  it('bridges the device whose answer calls connected and stops the others, once, though CallConnected comes twice', async () => {
    const { callId } = await ringingCall();
    const connected = callsSays.connected(accountId, callId, hall);
    const next = await marker(connected);
    await routing.publish(connected, connected, next.event);
    await routing.waitFor(next.callId, [...rings, 'InboundCallBridged']);

    const events = await routing.waitFor(callId, [...rings, 'InboundCallBridged', 'DeviceRingCancelled', 'DeviceRingCancelled']);
    expect(events).toHaveLength(7);
    expect(events[4].data).toMatchObject({ callId, deviceId: hall });
    expect(cancellations(events)).toEqual(each([kitchen, attic], 'answered_elsewhere'));
    await eventually(async () => expect(await metric(/routing_carrier_requests_total\{action="bridge",result="done"[^}]*\} (\d+)/)).toBeGreaterThanOrEqual(1));
  });

  it('keeps the other devices ringing when one device’s answer is refused: routing does nothing for it', async () => {
    const { callId } = await ringingCall();
    // The refusal comes first on the call's partition: once the later answer shows, the refusal was read.
    await routing.publish(callsSays.answerRefused(accountId, callId, attic), callsSays.connected(accountId, callId, kitchen));
    const events = await routing.waitFor(callId, [...rings, 'InboundCallBridged', 'DeviceRingCancelled', 'DeviceRingCancelled']);
    expect(events).toHaveLength(7);
    // The refused attic speaker was still ringing when the kitchen took the call.
    expect(cancellations(events)).toEqual(each([hall, attic], 'answered_elsewhere'));
  });

  it('stops every device at once when the caller hangs up while it rings, and a repeated or later callback changes nothing', async () => {
    const { callId, carrier } = await ringingCall();
    expect((await callerHungUp(routing.baseUrl, carrier, 3)).status).toBe(204);
    // Written when the webhook answered, published without waiting for calls.
    expect(await routing.streamLength(`inbound-${callId}`)).toBe(8);
    const events = await routing.waitFor(callId, [...rings, 'InboundCallAbandoned', 'DeviceRingCancelled', 'DeviceRingCancelled', 'DeviceRingCancelled']);
    expect(events[4].data).toEqual({ callId, carrierCallId: carrier });
    expect(cancellations(events)).toEqual(each([kitchen, hall, attic], 'caller_hung_up'));

    expect((await callerHungUp(routing.baseUrl, carrier, 3)).status).toBe(204);
    expect((await callerHungUp(routing.baseUrl, carrier, 4)).status).toBe(204);
    expect(await routing.streamLength(`inbound-${callId}`)).toBe(8);
  });

  it('takes the caller’s hang-up as the answer is bridged: abandoned, and no device told to stop ringing twice', async () => {
    const { callId, carrier } = await ringingCall();
    await routing.publish(callsSays.connected(accountId, callId, hall));
    await routing.waitFor(callId, [...rings, 'InboundCallBridged', 'DeviceRingCancelled', 'DeviceRingCancelled']);
    expect((await callerHungUp(routing.baseUrl, carrier)).status).toBe(204);
    const events = await routing.waitFor(callId, [...rings, 'InboundCallBridged', 'DeviceRingCancelled', 'DeviceRingCancelled', 'InboundCallAbandoned']);
    expect(await routing.streamLength(`inbound-${callId}`)).toBe(8);
    expect(cancellations(events)).toHaveLength(2);
  });

  it('tells calls when the caller hangs up a bridged call (the carrier reports it completed)', async () => {
    const { callId, carrier } = await ringingCall();
    await routing.publish(callsSays.connected(accountId, callId, hall));
    await routing.waitFor(callId, [...rings, 'InboundCallBridged', 'DeviceRingCancelled', 'DeviceRingCancelled']);
    expect((await callerHungUp(routing.baseUrl, carrier, 5, 'completed')).status).toBe(204);
    const events = await routing.waitFor(callId, [...rings, 'InboundCallBridged', 'DeviceRingCancelled', 'DeviceRingCancelled', 'InboundCallAbandoned']);
    expect(events[events.length - 1].data).toEqual({ callId, carrierCallId: carrier });
  });

  it('stops every device with no_answer when nobody answers in time, and sends the caller to voicemail', async () => {
    const { callId } = await ringingCall();
    const voicemails = await metric(/routing_carrier_requests_total\{action="voicemail",result="done"[^}]*\} (\d+)/);
    await routing.publish(callsSays.noAnswer(accountId, callId));
    const events = await routing.waitFor(callId, [...rings, 'DeviceRingCancelled', 'DeviceRingCancelled', 'DeviceRingCancelled']);
    expect(cancellations(events)).toEqual(each([kitchen, hall, attic], 'no_answer'));
    await eventually(async () =>
      expect(await metric(/routing_carrier_requests_total\{action="voicemail",result="done"[^}]*\} (\d+)/)).toBe(voicemails + 1),
    );
  });

  /** A new household with a speaker in each room, and a call offered to it ringing them all. */
  const ringingIn = async (...rooms: string[]) => {
    const other = new HouseholdEvents(freshLine(), 'America/New_York');
    const devices = rooms.map((room) => other.device({ room }));
    await routing.publish(...other.events);
    await routing.untilProjected(other.accountId, other.counts());
    const offered = await routing.carrier.offerInbound({ from: '+12125550142', to: other.msisdn });
    const callId = String((offered.routing.body as { callId: string }).callId);
    const rings = ['InboundCallOffered', ...devices.map(() => 'DeviceRingRequested')];
    await routing.waitFor(callId, rings);
    return { other, devices, offered, callId, rings };
  };

  it('stops a speaker unlinked while it rings, the others ringing on, and sends the caller to voicemail when the last one goes', async () => {
    const { other, devices: [den, porch], offered, callId, rings: twoRings } = await ringingIn('Den', 'Porch');

    await routing.publish(other.unlink(den));
    const afterDen = await routing.waitFor(callId, [...twoRings, 'DeviceRingCancelled']);
    expect(cancellations(afterDen)).toEqual([[den, 'device_unlinked']]);
    const voicemails = async () => (await routing.carrier.requests()).filter((r) => r.path.endsWith(`/${offered.carrierCallId}/voicemail`) && !r.replayed).length;
    expect(await voicemails()).toBe(0); // the porch rings on

    await routing.publish(other.unlink(porch));
    const afterPorch = await routing.waitFor(callId, [...twoRings, 'DeviceRingCancelled', 'DeviceRingCancelled']);
    expect(cancellations(afterPorch)).toEqual(each([den, porch], 'device_unlinked'));
    await eventually(async () => expect(await voicemails()).toBe(1));
  });

  /** Requests of this carrier call made to the carrier (a retry of one request counts once). */
  const asked = async (carrierCall: string, action: string) =>
    (await routing.carrier.requests()).filter((r) => r.path.endsWith(`/${carrierCall}/${action}`) && !r.replayed).length;
  /** Waits until routing has carried out every request it queued for the call (a done request leaves the queue). */
  const untilCarriedOut = (callId: string) =>
    eventually(async () => {
      const [queued] = await routing.dataSource.query(`SELECT count(*)::int AS n FROM carrier_requests WHERE leg_id = $1`, [inboundLegId(callId)]);
      expect(queued.n).toBe(0);
    });

  it('does not leave a call connected to a speaker unlinked as its answer was verified: calls hears it is over, the caller gets voicemail', async () => {
    const { other, devices: [den, porch], offered, callId, rings: twoRings } = await ringingIn('Den', 'Porch');

    // identity authorised the den's answer just before the den was unlinked: routing reads the unlink
    // (identity's topic) first, calls connects the answer (its verdict came on another partition).
    await routing.publish(other.unlink(den));
    await routing.waitFor(callId, [...twoRings, 'DeviceRingCancelled']);
    await routing.publish(callsSays.connected(other.accountId, callId, den));

    const events = await routing.waitFor(callId, [...twoRings, 'DeviceRingCancelled', 'DeviceRingCancelled', 'InboundCallAbandoned']);
    expect(events.map((e) => e.type)).not.toContain('InboundCallBridged');
    expect(cancellations(events)).toEqual([[den, 'device_unlinked'], [porch, 'no_answer']].sort());
    expect(events[5].data).toEqual({ callId, carrierCallId: offered.carrierCallId });
    // Every request queued for the call carried out (what the abandonment queued with it too): voicemail once, no bridge.
    await untilCarriedOut(callId);
    expect(await asked(offered.carrierCallId, 'voicemail')).toBe(1);
    expect(await asked(offered.carrierCallId, 'bridge')).toBe(0);
  });

  it('tells calls the call is over when the unlinked speaker whose answer calls connected was the last to ring', async () => {
    const { other, devices: [den], offered, callId } = await ringingIn('Den');
    await routing.publish(other.unlink(den));
    await routing.waitFor(callId, ['InboundCallOffered', 'DeviceRingRequested', 'DeviceRingCancelled']);

    await routing.publish(callsSays.connected(other.accountId, callId, den));
    const events = await routing.waitFor(callId, ['InboundCallOffered', 'DeviceRingRequested', 'DeviceRingCancelled', 'InboundCallAbandoned']);
    expect(events[3].data).toEqual({ callId, carrierCallId: offered.carrierCallId });
    // The caller was sent to voicemail once, when the den stopped; the abandonment asks nothing more of the carrier.
    await untilCarriedOut(callId);
    expect(await asked(offered.carrierCallId, 'voicemail')).toBe(1);
  });

  it('stops each device once and sends the caller to voicemail once, though CallFailed comes twice', async () => {
    const { callId, carrier } = await ringingCall();
    const failed = callsSays.noAnswer(accountId, callId);
    const next = await marker(failed);
    await routing.publish(failed, failed, next.event);
    await routing.waitFor(next.callId, [...rings, 'InboundCallBridged']);
    expect(await routing.streamLength(`inbound-${callId}`)).toBe(7); // the offer, 3 rings, 3 cancelled
    const voicemails = async () => (await routing.carrier.requests()).filter((r) => r.path.endsWith(`/${carrier}/voicemail`) && !r.replayed).length;
    await eventually(async () => expect(await voicemails()).toBe(1));
  });

  it('stops what still rings when calls ends the call, and nothing once the answer was bridged', async () => {
    const ringing = await ringingCall();
    await routing.publish(callsSays.ended(accountId, ringing.callId, 'cancelled'));
    const events = await routing.waitFor(ringing.callId, [...rings, 'DeviceRingCancelled', 'DeviceRingCancelled', 'DeviceRingCancelled']);
    expect(cancellations(events)).toEqual(each([kitchen, hall, attic], 'call_ended'));

    const answered = await ringingCall();
    const ended = callsSays.ended(accountId, answered.callId, 'hung_up');
    const next = await marker(ended);
    await routing.publish(callsSays.connected(accountId, answered.callId, hall), ended, next.event);
    await routing.waitFor(next.callId, [...rings, 'InboundCallBridged']);
    expect(await routing.streamLength(`inbound-${answered.callId}`)).toBe(7); // the offer, 3 rings, bridged, 2 cancelled
  });

  it('changes nothing for an outbound call’s CallConnected, and dead-letters one from a forged publisher', async () => {
    const { callId } = await ringingCall();
    const forged = { ...callsSays.connected(accountId, callId, hall), source: 'identity' as const };
    const outbound = { ...callsSays.connected(accountId, callId, attic), data: { ...callsSays.connected(accountId, callId, attic).data, direction: 'outbound' } };
    const next = await marker(outbound);
    await routing.publishOn(Topics.calls, forged);
    await routing.publish(outbound, next.event);
    await routing.waitFor(next.callId, [...rings, 'InboundCallBridged']);
    expect(await routing.deadLettered(forged.id)).toMatchObject({ reasonCode: 'invalid_event', consumerGroup: 'homeline-routing.calls' });
    expect(routing.typesOf(callId)).toEqual(rings);
  });

  it('counts inbound calls and ring cancellations on /metrics', async () => {
    expect(await metric(/routing_inbound_calls_total\{outcome="ringing"[^}]*\} (\d+)/)).toBeGreaterThanOrEqual(5);
    expect(await metric(/routing_ring_cancellations_total\{reason="caller_hung_up"[^}]*\} (\d+)/)).toBe(3);
  });

  it('rings nothing for a caller whose hang-up overtook the offer: the hang-up is kept, and the offer is a missed call', async () => {
    const carrier = carrierCallId();
    expect((await callerHungUp(routing.baseUrl, carrier, 2)).status).toBe(204);
    expect((await callerHungUp(routing.baseUrl, carrier, 2)).status).toBe(204); // the carrier repeating it
    const callId = await offeredCallId(routing.baseUrl, { carrierCallId: carrier, from: '+12125550142', to: home.msisdn });
    const events = await routing.waitFor(callId, ['InboundCallOffered', 'InboundCallAbandoned']);
    expect(events[0].data).toMatchObject({ carrierCallId: carrier, devices: [] });
    expect(events[1].data).toEqual({ callId, carrierCallId: carrier });
    expect(await routing.streamLength(`inbound-${callId}`)).toBe(2);
    expect(await metric(/routing_inbound_calls_total\{outcome="missed"[^}]*\} (\d+)/)).toBe(1);
  });

  it('stops every device when the caller’s hang-up comes while the offer is being recorded', async () => {
    const carrier = carrierCallId();
    const blocker = routing.dataSource.createQueryRunner();
    await blocker.startTransaction();
    try {
      await blocker.query('LOCK TABLE es_events IN SHARE MODE'); // the offer's append waits here, its carrier call recorded
      const offered = offerCall(routing.baseUrl, { carrierCallId: carrier, from: '+12125550142', to: home.msisdn });
      await eventually(async () => expect(await lockWaiters(routing.dataSource, 'relation')).toBeGreaterThan(0));
      const hungUp = callerHungUp(routing.baseUrl, carrier, 2);
      await eventually(async () => expect(await lockWaiters(routing.dataSource, 'advisory')).toBeGreaterThan(0)); // it waits for the offer to be decided
      await blocker.commitTransaction();
      expect((await offered).status).toBe(202);
      expect((await hungUp).status).toBe(204);
      const { callId } = (await (await offered).json()) as { callId: string };
      const events = await routing.waitFor(callId, [...rings, 'InboundCallAbandoned', 'DeviceRingCancelled', 'DeviceRingCancelled', 'DeviceRingCancelled']);
      expect(cancellations(events)).toEqual(each([kitchen, hall, attic], 'caller_hung_up'));
    } finally {
      if (blocker.isTransactionActive) await blocker.rollbackTransaction();
      await blocker.release();
    }
  });

  it('stops a speaker unlinked while the offer that rings it is being recorded', async () => {
    const other = new HouseholdEvents(freshLine(), 'America/New_York');
    const [den, porch] = [other.device({ room: 'Den' }), other.device({ room: 'Porch' })];
    await routing.publish(...other.events);
    await routing.untilProjected(other.accountId, other.counts());
    const carrier = carrierCallId();
    const blocker = routing.dataSource.createQueryRunner();
    await blocker.startTransaction();
    try {
      await blocker.query('LOCK TABLE es_events IN SHARE MODE'); // the offer's append waits here, the devices it rings read
      const offered = offerCall(routing.baseUrl, { carrierCallId: carrier, from: '+12125550142', to: other.msisdn });
      await eventually(async () => expect(await lockWaiters(routing.dataSource, 'relation')).toBeGreaterThan(0));
      await routing.publish(other.unlink(den));
      // The unlink is projected (den gone from routing's devices), or waits for the offer to be recorded.
      await eventually(async () => {
        const [{ n }] = await routing.dataSource.query(`SELECT count(*)::int AS n FROM devices WHERE device_id = $1`, [den]);
        expect(n === 0 || (await lockWaiters(routing.dataSource)) > 1).toBe(true);
      });
      await blocker.commitTransaction();
      expect((await offered).status).toBe(202);
      const { callId } = (await (await offered).json()) as { callId: string };
      const events = await routing.waitFor(callId, ['InboundCallOffered', 'DeviceRingRequested', 'DeviceRingRequested', 'DeviceRingCancelled']);
      expect(cancellations(events)).toEqual([[den, 'device_unlinked']]);
      expect(events[0].data).toMatchObject({ devices: [den, porch].sort() });
    } finally {
      if (blocker.isTransactionActive) await blocker.rollbackTransaction();
      await blocker.release();
    }
  });

  it('leaves no device ringing when the caller’s hang-up races the offer', async () => {
    const races = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const carrier = carrierCallId();
        const [offered, hungUp] = await Promise.all([
          offerCall(routing.baseUrl, { carrierCallId: carrier, from: '+12125550142', to: home.msisdn }),
          callerHungUp(routing.baseUrl, carrier, 2),
        ]);
        return { offered, hungUp };
      }),
    );
    for (const { offered, hungUp } of races) {
      expect([offered.status, hungUp.status]).toEqual([202, 204]);
      const { callId } = (await offered.json()) as { callId: string };
      // Abandoned, and every device it rang told to stop (published after the abandonment, in the same append).
      await eventually(() => {
        const events = routing.eventsOf(callId);
        expect(events.map((e) => e.type)).toContain('InboundCallAbandoned');
        expect(cancellations(events)).toHaveLength(events.filter((e) => e.type === 'DeviceRingRequested').length);
      });
    }
  });
});
