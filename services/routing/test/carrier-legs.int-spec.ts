import { eventually } from '@homeline/testing';
import { HouseholdEvents, callEnded, callFailed, callRouting, emergencyRedial } from './support/household';
import { postCarrierStatus } from './support/carrier-callbacks';
import { ExpirySweeper } from '../src/edges/expiry-sweeper';
import { RoutingHarness } from './support/routing-harness';

const busyNumber = '+12125550486';
const unansweredNumber = '+12125550480';
const ringingNumber = '+12125550180';

describe('carrier legs (simulated carrier, signed callbacks to POST /v1/carrier/status)', () => {
  let routing: RoutingHarness;
  const home = new HouseholdEvents();
  const owner = home.member('owner', 'Homer');
  const kitchen = home.device();

  beforeAll(async () => {
    routing = await RoutingHarness.start({
      behaviours: { [busyNumber]: 'busy', [unansweredNumber]: 'no_answer', [ringingNumber]: 'ring', '911': 'busy' },
    });
    await routing.register(home);
  });
  afterAll(() => routing?.stop());

  const dial = async (target: string) => {
    const event = callRouting({
      accountId: home.accountId,
      deviceId: kitchen,
      target,
      verified: true,
      memberId: owner,
      speakerRejection: null,
    });
    await routing.publish(event);
    return event.data.callId;
  };

  it('reports a busy destination as a failed leg with its SIP and Q.850 codes', async () => {
    const callId = await dial(busyNumber);
    const events = await routing.waitFor(callId, ['DestinationResolved', 'CarrierLegRequested', 'CarrierLegFailed']);
    expect(events[2].data).toMatchObject({ reason: 'busy', sipCode: 486, q850: 17 });
  });

  it("dials an emergency call again on a new leg when calls asks, with the first leg's number and location; a call that was not one, never", async () => {
    const callId = await dial('911');
    const first = await routing.waitFor(callId, ['DestinationResolved', 'EmergencyOwnerNotified', 'CarrierLegRequested', 'CarrierLegFailed']);
    await routing.publish(emergencyRedial(home.accountId, callId, 1));
    const legs = await eventually(() => {
      const requested = routing.eventsOf(callId).filter((e) => e.type === 'CarrierLegRequested');
      expect(requested).toHaveLength(2);
      return requested;
    });
    const { legId: _first, ...asked } = first[2].data as { legId: string };
    const { legId: second, ...askedAgain } = legs[1].data as { legId: string };
    expect(second).not.toBe(_first);
    expect(askedAgain).toEqual(asked);
    expect(asked).toMatchObject({ e164: '911', emergency: true, callerId: home.msisdn });
    // The carrier is asked again, and answers (busy) for the new leg too.
    await eventually(() => expect(routing.eventsOf(callId).filter((e) => e.type === 'CarrierLegFailed')).toHaveLength(2));

    // A redial asked for an ordinary call, or past its deadline (calls has failed the call), places nothing:
    // once routing has taken both (their inbox rows commit with any effect), no leg more.
    const ordinary = await dial(busyNumber);
    await routing.waitFor(ordinary, ['DestinationResolved', 'CarrierLegRequested', 'CarrierLegFailed']);
    const stale = emergencyRedial(home.accountId, callId, 2, new Date(Date.now() - 1_000));
    const forOrdinary = emergencyRedial(home.accountId, ordinary, 1);
    await routing.publish(forOrdinary, stale);
    await eventually(async () => {
      const taken = await routing.dataSource.query(`SELECT event_id FROM es_inbox WHERE event_id = ANY($1)`, [[forOrdinary.id, stale.id]]);
      expect(taken).toHaveLength(2);
    });
    const requestedLegs = async () => (await routing.dataSource.query(`SELECT count(*)::int AS n FROM carrier_legs WHERE call_id = ANY($1)`, [[callId, ordinary]]))[0].n;
    expect(await requestedLegs()).toBe(3); // two for the emergency call, one for the ordinary one
    await routing.publish(emergencyRedial(home.accountId, callId, 2));
    await eventually(() => expect(routing.eventsOf(callId).filter((e) => e.type === 'CarrierLegRequested')).toHaveLength(3));
  });

  it('reports a destination that rings out as no_answer', async () => {
    const callId = await dial(unansweredNumber);
    const events = await routing.waitFor(callId, [
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
      'CarrierLegFailed',
    ]);
    expect(events[3].data).toMatchObject({ reason: 'no_answer', sipCode: 480, q850: 19 });
  });

  it('hangs the carrier leg up when the caller ends a connected call', async () => {
    const callId = await dial('+12125550100');
    await routing.waitFor(callId, [
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
      'CarrierLegAnswered',
    ]);
    await routing.publish(callEnded(home.accountId, callId));
    const events = await routing.waitFor(callId, [
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
      'CarrierLegAnswered',
      'CarrierLegEnded',
    ]);
    expect(events[4].data).toMatchObject({ releasedBy: 'local' });
  });

  it('releases a leg that is still ringing when the call fails on its deadline', async () => {
    const callId = await dial(ringingNumber);
    await routing.waitFor(callId, ['DestinationResolved', 'CarrierLegRequested', 'CarrierLegRinging']);
    await routing.publish(callFailed(home.accountId, callId));
    const events = await routing.waitFor(callId, [
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
      'CarrierLegEnded',
    ]);
    expect(events[3].data).toMatchObject({ duration: 0, releasedBy: 'local' });

    // The far end picks up after the call timed out: the leg stays ended.
    const { legId, carrierCallId } = events[2].data as { legId: string; carrierCallId: string };
    const lateAnswer = {
      carrierCallId,
      legId,
      status: 'answered',
      sequence: 2,
      occurredAt: new Date().toISOString(),
    } as const;
    expect((await postCarrierStatus(routing.baseUrl, lateAnswer)).status).toBe(204);
    expect(await routing.streamLength(`leg-${legId}`)).toBe(3); // requested, ringing, ended
  });

  it('applies a callback delivered twice once, and a late one never revives a finished leg', async () => {
    const callId = await dial(ringingNumber);
    const [, requested, ringing] = await routing.waitFor(callId, [
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
    ]);
    const { legId, carrierCallId } = ringing.data as { legId: string; carrierCallId: string };
    expect((requested.data as { legId: string }).legId).toBe(legId);
    const occurredAt = new Date().toISOString();
    const noAnswer = {
      carrierCallId,
      legId,
      status: 'no_answer',
      sequence: 3,
      sipCode: 480,
      q850: 19,
      occurredAt,
    } as const;
    const lateAnswer = { carrierCallId, legId, status: 'answered', sequence: 2, sipCode: 200, occurredAt } as const;

    const atOnce = await Promise.all([
      postCarrierStatus(routing.baseUrl, noAnswer),
      postCarrierStatus(routing.baseUrl, noAnswer),
    ]);
    expect(atOnce.map((r) => r.status)).toEqual([204, 204]);
    expect((await postCarrierStatus(routing.baseUrl, lateAnswer)).status).toBe(204);
    expect((await postCarrierStatus(routing.baseUrl, noAnswer)).status).toBe(204);
    expect((await postCarrierStatus(routing.baseUrl, lateAnswer)).status).toBe(204);

    // The late and repeated callbacks add nothing to the leg's stream.
    await routing.waitFor(callId, [
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
      'CarrierLegFailed',
    ]);
    expect(await routing.streamLength(`leg-${legId}`)).toBe(3); // requested, ringing, failed
    expect(routing.typesOf(callId)).toEqual([
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
      'CarrierLegFailed',
    ]);
  });

  it('keeps an answered leg answered when its ringing callback arrives after the answer', async () => {
    const callId = await dial(ringingNumber);
    const [, , ringing] = await routing.waitFor(callId, [
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
    ]);
    const { legId, carrierCallId } = ringing.data as { legId: string; carrierCallId: string };
    const occurredAt = new Date().toISOString();
    const post = async (status: 'answered' | 'ringing' | 'completed', sequence: number) =>
      (await postCarrierStatus(routing.baseUrl, { carrierCallId, legId, status, sequence, occurredAt })).status;
    expect(await post('answered', 3)).toBe(204);
    expect(await post('ringing', 2)).toBe(204);
    expect(await post('completed', 4)).toBe(204);
    const events = await routing.waitFor(callId, [
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
      'CarrierLegAnswered',
      'CarrierLegEnded',
    ]);
    expect(events[4].data).toMatchObject({ releasedBy: 'remote' });
    expect(routing.typesOf(callId)).toHaveLength(5);
  });

  it('refuses a sequence number beyond what it stores as 400 problem details', async () => {
    const response = await postCarrierStatus(routing.baseUrl, {
      carrierCallId: 'carrier-call-beyond', legId: 'leg-beyond', status: 'answered', sequence: 2 ** 31, occurredAt: new Date().toISOString(),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_request', issues: [{ path: 'sequence' }] });
  });

  it('refuses a callback with a bad signature as 401 problem details, and applies nothing', async () => {
    const callId = await dial(ringingNumber);
    const [, , ringing] = await routing.waitFor(callId, [
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
    ]);
    const { legId, carrierCallId } = ringing.data as { legId: string; carrierCallId: string };
    const forged = {
      carrierCallId,
      legId,
      status: 'answered',
      sequence: 2,
      occurredAt: new Date().toISOString(),
    } as const;

    const response = await postCarrierStatus(routing.baseUrl, forged, 'not-the-carrier-secret');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 401, code: 'invalid_carrier_signature' });

    const unsigned = await fetch(`${routing.baseUrl}/v1/carrier/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(forged),
    });
    expect(unsigned.status).toBe(401);
    expect(await routing.streamLength(`leg-${legId}`)).toBe(2); // requested, ringing
  });

  it('forgets callbacks and inbox rows past their retention, keeps the recent ones, and still refuses a late copy of a forgotten callback', async () => {
    const callId = await dial(ringingNumber);
    const [, , ringing] = await routing.waitFor(callId, ['DestinationResolved', 'CarrierLegRequested', 'CarrierLegRinging']);
    const { legId, carrierCallId } = ringing.data as { legId: string; carrierCallId: string };
    const at = new Date().toISOString();
    expect((await postCarrierStatus(routing.baseUrl, { carrierCallId, legId, status: 'answered', sequence: 10, occurredAt: at })).status).toBe(204);
    const [{ sequence: ringingSequence }] = await routing.dataSource.query(
      `SELECT sequence FROM carrier_callbacks WHERE carrier_call_id = $1 AND status = 'ringing'`, [carrierCallId]);
    const [{ consumer }] = await routing.dataSource.query(`SELECT consumer FROM es_inbox LIMIT 1`);
    // This leg's callbacks are 9 days old (192 hours by default); a backlog of inbox rows is older than 216 hours, beside one 200 hours old.
    await routing.dataSource.query(`UPDATE carrier_callbacks SET received_at = now() - interval '9 days' WHERE carrier_call_id = $1`, [carrierCallId]);
    await routing.dataSource.query(
      `INSERT INTO es_inbox (consumer, event_id, processed_at) SELECT $1, 'old-' || i, now() - interval '217 hours' FROM generate_series(1, 1200) i`, [consumer]);
    await routing.dataSource.query(`INSERT INTO es_inbox (consumer, event_id, processed_at) VALUES ($1, 'eight-days-old', now() - interval '200 hours')`, [consumer]);
    const recentCallbacks = (await routing.dataSource.query(`SELECT count(*)::int AS n FROM carrier_callbacks`))[0].n - 2;
    // What the registry forgot is remembered for a day: a speaker unlinked two days ago goes, one unlinked an hour ago stays.
    await routing.dataSource.query(
      `INSERT INTO registry_forgotten (kind, id, forgotten_at) VALUES ('device', 'acc/two-days', now() - interval '2 days'), ('device', 'acc/an-hour', now() - interval '1 hour')`);

    expect(await routing.app.get(ExpirySweeper).sweep()).toEqual({ inbox: 1200, callbacks: 2, forgotten: 1 });
    expect(await routing.dataSource.query(`SELECT id FROM registry_forgotten WHERE id LIKE 'acc/%'`)).toEqual([{ id: 'acc/an-hour' }]);
    expect((await routing.dataSource.query(`SELECT count(*)::int AS n FROM carrier_callbacks`))[0].n).toBe(recentCallbacks);
    expect(await routing.dataSource.query(`SELECT event_id FROM es_inbox WHERE event_id LIKE 'old-%' OR event_id = 'eight-days-old'`)).toEqual([{ event_id: 'eight-days-old' }]);
    // The carrier sends the forgotten ringing again: applied when the response comes, it changes nothing (its sequence is behind).
    expect((await postCarrierStatus(routing.baseUrl, { carrierCallId, legId, status: 'ringing', sequence: ringingSequence, occurredAt: at })).status).toBe(204);
    expect(await routing.streamLength(`leg-${legId}`)).toBe(3); // requested, ringing, answered
  });

  it('keeps a connected leg connected when an older busy arrives after the answer, and ends it on a newer status', async () => {
    const callId = await dial(ringingNumber);
    const [, , ringing] = await routing.waitFor(callId, [
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
    ]);
    const { legId, carrierCallId } = ringing.data as { legId: string; carrierCallId: string };
    const at = new Date().toISOString();
    const post = (status: 'answered' | 'busy' | 'completed', sequence: number) =>
      postCarrierStatus(routing.baseUrl, { carrierCallId, legId, status, sequence, occurredAt: at });

    expect((await post('answered', 10)).status).toBe(204);
    // Applied when the response comes: the late, older busy was heard, and changed nothing.
    expect((await post('busy', 5)).status).toBe(204);
    expect(await routing.streamLength(`leg-${legId}`)).toBe(3); // requested, ringing, answered
    expect((await post('busy', 5)).status).toBe(204); // and once more, deduplicated

    expect((await post('completed', 11)).status).toBe(204);
    const events = await routing.waitFor(callId, [
      'DestinationResolved',
      'CarrierLegRequested',
      'CarrierLegRinging',
      'CarrierLegAnswered',
      'CarrierLegEnded',
    ]);
    expect(events[4].data).toMatchObject({ releasedBy: 'remote' });
    expect(routing.typesOf(callId)).not.toContain('CarrierLegFailed');
  });

  it('applies callbacks of many legs that arrive together each to its own leg, two of one leg in order', async () => {
    const ringingLeg = async () => {
      const callId = await dial(ringingNumber);
      const [, , ringing] = await routing.waitFor(callId, ['DestinationResolved', 'CarrierLegRequested', 'CarrierLegRinging']);
      return { callId, ...(ringing.data as { legId: string; carrierCallId: string }) };
    };
    const [first, second, third] = await Promise.all([ringingLeg(), ringingLeg(), ringingLeg()]);
    const occurredAt = new Date().toISOString();
    const status = (leg: typeof first, status: 'answered' | 'completed' | 'no_answer', sequence: number) =>
      postCarrierStatus(routing.baseUrl, { carrierCallId: leg.carrierCallId, legId: leg.legId, status, sequence, occurredAt });

    const answers = await Promise.all([
      status(first, 'answered', 3),
      status(first, 'completed', 4), // the same leg, the same instant: decided on the leg the answer left, or ignored as overtaken
      status(second, 'answered', 3),
      status(second, 'answered', 3), // a copy
      status(third, 'no_answer', 3),
      postCarrierStatus(routing.baseUrl, { carrierCallId: 'sim-elsewhere', legId: 'leg-elsewhere', status: 'answered', sequence: 3, occurredAt }),
    ]);
    expect(answers.map((r) => r.status)).toEqual([204, 204, 204, 204, 204, 404]);

    await routing.waitFor(second.callId, ['DestinationResolved', 'CarrierLegRequested', 'CarrierLegRinging', 'CarrierLegAnswered']);
    await routing.waitFor(third.callId, ['DestinationResolved', 'CarrierLegRequested', 'CarrierLegRinging', 'CarrierLegFailed']);
    expect(await routing.streamLength(`leg-${second.legId}`)).toBe(3); // requested, ringing, answered once
    // Answered then completed; or completed decided first (no duration: the leg failed) and the older answer ignored.
    const fourth = await eventually(() => {
      const types = routing.typesOf(first.callId);
      expect(types.length).toBeGreaterThanOrEqual(4);
      return types[3];
    });
    const expected = fourth === 'CarrierLegFailed' ? ['CarrierLegFailed'] : ['CarrierLegAnswered', 'CarrierLegEnded'];
    await routing.waitFor(first.callId, ['DestinationResolved', 'CarrierLegRequested', 'CarrierLegRinging', ...expected]);
    expect(await routing.streamLength(`leg-${first.legId}`)).toBe(2 + expected.length);
  });

  it('answers 404 problem details for a leg it never requested', async () => {
    const response = await postCarrierStatus(routing.baseUrl, {
      carrierCallId: 'sim-unknown',
      legId: 'leg-unknown',
      status: 'ringing',
      sequence: 1,
      occurredAt: new Date().toISOString(),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'unknown_carrier_leg' });
  });

  it('counts decisions, callbacks and carrier requests on /metrics', async () => {
    const metrics = await (await fetch(`${routing.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/routing_decisions_total\{outcome="resolved",detail="domestic",service="routing"\} [1-9]/);
    expect(metrics).toMatch(/routing_carrier_callbacks_total\{outcome="duplicate",service="routing"\} [1-9]/);
    expect(metrics).toMatch(/routing_carrier_callbacks_total\{outcome="ignored",service="routing"\} [1-9]/);
    expect(metrics).toMatch(/routing_carrier_requests_total\{action="place",result="done",service="routing"\} [1-9]/);
  });
});
