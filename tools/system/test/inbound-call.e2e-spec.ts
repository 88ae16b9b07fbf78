import { replayOf, simulatedSpeaker } from '@homeline/device-sim';
import { eventually } from '@homeline/testing';
import { startSystem, type RunningSystem } from '../src/running-system';
import {
  answer, answerWith, byDevice, callIn, callWhen, declinedWithoutRinging, deviceIn, dialIn, homeWithThreeSpeakers, ringsOf,
  roomsOf, sentToVoicemail, settledStatuses, untilBridged, untilRinging,
} from './support/inbound';
import { dayAfter, localClock, sameWindows, zoneNearMidnight } from './support/quiet-hours';
import { cancellations, each, TopicWatch } from './support/topic-watch';

/**
 * "Alexa, answer" (docs/architecture.md section 6.1) with every part a process of its own: a caller
 * dials the household's line at the carrier simulator, which posts the signed inbound webhook to
 * routing; the speakers answer over calls' HTTP API; what the device cloud is told
 * (DeviceRingRequested / DeviceRingCancelled) is read off homeline.routing.v1, and what the carrier
 * was asked (bridge, voicemail) from the simulator.
 */
const bank = '+15550142001';
const pizzaPlace = '+15550100003'; // a household contact of createHousehold
const stranger = '+15550149999';

describe('an inbound call', () => {
  let system: RunningSystem;
  let watch: TopicWatch;

  beforeAll(async () => {
    system = await startSystem();
    watch = await TopicWatch.start(system);
  }, 180_000);

  afterAll(async () => {
    await watch?.stop();
    await system?.stop();
  });

  it('rings every speaker with the bank contact\'s name; the owner\'s answer connects, the others stop ringing, the carrier bridges it', async () => {
    const home = await homeWithThreeSpeakers(system, watch, { contacts: [{ name: 'First Bank', number: '+1 555 014 2001', sensitive: true }] });
    const { callId, carrierCallId } = await dialIn(system, { from: bank, to: home.msisdn });

    const { events, call } = await untilRinging(system, watch, home, callId);
    expect(byDevice(ringsOf(events).map((e) => e.data as { deviceId: string }))).toEqual(
      byDevice(home.speakers.map((d) => ({ callId, deviceId: d.deviceId, from: bank, callerName: 'First Bank', sensitive: true }))),
    );
    expect(call).toMatchObject({ direction: 'inbound', status: 'ringing', from: bank, callerName: 'First Bank', sensitive: true });

    expect(await answer(system, callId, home.kitchen, home.members.Alex.voice)).toEqual({ status: 202, body: { callId, status: 'ringing' } });
    const connected = await callIn(system, callId, ['connected']);
    expect(connected).toMatchObject({ memberId: home.members.Alex.memberId, deviceId: home.kitchen.deviceId });
    expect(roomsOf(home, connected)).toEqual({ kitchen: 'answered', hall: 'cancelled:answered_elsewhere', bedroom: 'cancelled:answered_elsewhere' });

    await untilBridged(system, watch, home, { callId, carrierCallId }, home.kitchen);

    expect(await system.client.hangUp(callId)).toMatchObject({ status: 'ended', reason: 'hung_up' });
    await eventually(async () => expect((await system.carrier.call(carrierCallId))?.state).toBe('ended'));
  });

  it('connects exactly one of two answers sent in the same tick from two speakers, on each of 10 calls', async () => {
    const home = await homeWithThreeSpeakers(system, watch);
    const racers = [{ room: 'kitchen', device: home.kitchen, member: home.members.Alex }, { room: 'hall', device: home.hall, member: home.members.Sam }];
    const wins: Record<string, number> = { Alex: 0, Sam: 0 };
    for (let run = 0; run < 10; run++) {
      const { callId, carrierCallId } = await dialIn(system, { from: pizzaPlace, to: home.msisdn });
      await untilRinging(system, watch, home, callId);
      const replies = await Promise.all(racers.map((r) => answer(system, callId, r.device, r.member.voice)));
      // Each answer is taken to identity (202), or refused at once because the other already connected.
      for (const reply of replies) expect(reply.status === 202 || (reply.status === 409 && reply.body.code === 'already_answered')).toBe(true);

      const connected = await callIn(system, callId, ['connected']);
      const winner = racers.find((r) => r.device.deviceId === connected.deviceId)!;
      const loser = racers.find((r) => r !== winner)!;
      expect(connected.memberId).toBe(winner.member.memberId);
      wins[winner.member.name]++;
      // The loser's answer, when identity took it, is refused once the winner holds the call; else its ring was cancelled.
      const loserTaken = replies[racers.indexOf(loser)].status === 202;
      const settled = await callWhen(system, callId, (c) => deviceIn(c, loser.device.deviceId)?.state === (loserTaken ? 'refused' : 'cancelled'));
      expect(roomsOf(home, settled)).toEqual({
        [winner.room]: 'answered',
        [loser.room]: loserTaken ? 'refused:already_answered' : 'cancelled:answered_elsewhere',
        bedroom: 'cancelled:answered_elsewhere',
      });
      expect(settled).toMatchObject({ status: 'connected', memberId: winner.member.memberId, deviceId: winner.device.deviceId });
      expect(settled.timeline.filter((e) => e.type === 'CallConnected')).toHaveLength(1);

      await untilBridged(system, watch, home, { callId, carrierCallId }, winner.device);
      await system.client.hangUp(callId);
    }
    console.log(`two answers racing, 10 calls: Alex (kitchen) won ${wins.Alex}, Sam (hall) won ${wins.Sam}`);
  });

  it('stops every speaker when the caller hangs up while it rings: ended, caller_hung_up', async () => {
    const home = await homeWithThreeSpeakers(system, watch);
    const { callId, carrierCallId } = await dialIn(system, { from: stranger, to: home.msisdn });
    await untilRinging(system, watch, home, callId);

    expect(await system.carrier.hangUp(carrierCallId)).toMatchObject({ state: 'ended', routing: { status: 204 } });
    const ended = await callIn(system, callId, ['ended']);
    expect(ended).toMatchObject({ status: 'ended', reason: 'caller_hung_up', sipCode: 487, q850: 16 });
    expect(roomsOf(home, ended)).toEqual({ kitchen: 'cancelled:caller_hung_up', hall: 'cancelled:caller_hung_up', bedroom: 'cancelled:caller_hung_up' });
    const events = await watch.routingEventsUntil(callId, (e) => cancellations(e).length === 3);
    expect(cancellations(events)).toEqual(each(home.speakers, 'caller_hung_up'));
  });

  it('keeps the other speakers ringing when a guest\'s and a child\'s answers are refused, then takes the owner\'s', async () => {
    const home = await homeWithThreeSpeakers(system, watch);
    const { callId, carrierCallId } = await dialIn(system, { from: stranger, to: home.msisdn });
    await untilRinging(system, watch, home, callId);

    expect((await answer(system, callId, home.hall, home.members.Jo.voice)).status).toBe(202);
    expect((await answer(system, callId, home.bedroom, home.members.Kim.voice)).status).toBe(202); // a child, and the caller is no contact
    const refused = await callWhen(system, callId, (c) => c.devices!.filter((d) => d.state === 'refused').length === 2);
    expect({ status: refused.status, ...roomsOf(home, refused) }).toEqual({ status: 'ringing', kitchen: 'ringing', hall: 'refused:not_permitted', bedroom: 'refused:not_permitted' });
    await eventually(() => expect(watch.answerDecisionsOf(callId).map((e) => [e.type, e.data.memberId, e.data.reason]).sort()).toEqual([
      ['AnswerRefused', home.members.Jo.memberId, 'not_permitted'],
      ['AnswerRefused', home.members.Kim.memberId, 'not_permitted'],
    ].sort()));

    expect((await answer(system, callId, home.kitchen, home.members.Alex.voice)).status).toBe(202);
    const connected = await callIn(system, callId, ['connected']);
    expect(connected).toMatchObject({ memberId: home.members.Alex.memberId, deviceId: home.kitchen.deviceId });
    // The refused speakers were still ringing for the device cloud until the owner answered: only now are they stopped.
    await untilBridged(system, watch, home, { callId, carrierCallId }, home.kitchen);
    await system.client.hangUp(callId);
  });

  it('lets only a member holding answer_sensitive take a call the carrier marks sensitive: the adult is refused, the owner taken', async () => {
    const home = await homeWithThreeSpeakers(system, watch);
    const { callId } = await dialIn(system, { from: stranger, to: home.msisdn, sensitive: true });
    const { events, call } = await untilRinging(system, watch, home, callId);
    expect(call.sensitive).toBe(true);
    expect(ringsOf(events).map((e) => e.data.sensitive)).toEqual([true, true, true]);

    expect((await answer(system, callId, home.hall, home.members.Sam.voice)).status).toBe(202);
    const refused = await callWhen(system, callId, (c) => deviceIn(c, home.hall.deviceId)?.state === 'refused');
    expect({ status: refused.status, ...roomsOf(home, refused) }).toEqual({ status: 'ringing', kitchen: 'ringing', hall: 'refused:not_permitted', bedroom: 'ringing' });

    expect((await answer(system, callId, home.kitchen, home.members.Alex.voice)).status).toBe(202);
    expect(await callIn(system, callId, ['connected'])).toMatchObject({ memberId: home.members.Alex.memberId, deviceId: home.kitchen.deviceId });
    await eventually(() => expect(watch.answerDecisionsOf(callId).map((e) => ({ type: e.type, ...e.data }))).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'AnswerRefused', memberId: home.members.Sam.memberId, reason: 'not_permitted' }),
      expect.objectContaining({ type: 'AnswerAuthorized', memberId: home.members.Alex.memberId, assurance: 'high' }),
    ])));
    await system.client.hangUp(callId);
  });

  it('refuses a replayed answer assertion: the copy of a refused one while it rings, and of the owner\'s once it is taken', async () => {
    const home = await homeWithThreeSpeakers(system, watch);
    const { callId } = await dialIn(system, { from: stranger, to: home.msisdn });
    await untilRinging(system, watch, home, callId);

    // A child's answer, refused (the caller is no contact): its nonce is used up with the refusal.
    const childs = home.bedroom.assert({ purpose: 'answer-call', subject: callId, embedding: home.members.Kim.voice.utter() });
    expect((await answerWith(system, callId, home.bedroom.deviceId, childs)).status).toBe(202);
    await callWhen(system, callId, (c) => deviceIn(c, home.bedroom.deviceId)?.reason === 'not_permitted');
    // The same signed assertion sent again, byte for byte.
    expect((await answerWith(system, callId, home.bedroom.deviceId, replayOf(childs))).status).toBe(202);
    const replayed = await callWhen(system, callId, (c) => deviceIn(c, home.bedroom.deviceId)?.reason === 'replayed_assertion');
    expect(replayed.status).toBe('ringing');

    // The owner's answer connects; the same assertion sent again later is refused before it reaches identity.
    const owners = home.kitchen.assert({ purpose: 'answer-call', subject: callId, embedding: home.members.Alex.voice.utter() });
    expect((await answerWith(system, callId, home.kitchen.deviceId, owners)).status).toBe(202);
    expect(await callIn(system, callId, ['connected'])).toMatchObject({ memberId: home.members.Alex.memberId, deviceId: home.kitchen.deviceId });
    expect(await answerWith(system, callId, home.kitchen.deviceId, replayOf(owners))).toMatchObject({ status: 409, body: { code: 'already_answered' } });
    await eventually(() =>
      expect(watch.answerDecisionsOf(callId).map((e) => String(e.data.reason ?? e.type)).sort()).toEqual(['AnswerAuthorized', 'not_permitted', 'replayed_assertion']),
    );
    await system.client.hangUp(callId);
  });

  it('refuses an answer once the call is over (409 call_ended) or answered elsewhere (409 already_answered), changing nothing', async () => {
    const home = await homeWithThreeSpeakers(system, watch);
    const ended = await dialIn(system, { from: stranger, to: home.msisdn });
    await untilRinging(system, watch, home, ended.callId);
    await system.carrier.hangUp(ended.carrierCallId);
    const over = await callIn(system, ended.callId, ['ended']);
    expect(await answer(system, ended.callId, home.kitchen, home.members.Alex.voice)).toMatchObject({ status: 409, body: { code: 'call_ended' } });
    expect(await system.client.getCall(ended.callId)).toEqual(over);

    const answered = await dialIn(system, { from: pizzaPlace, to: home.msisdn });
    await untilRinging(system, watch, home, answered.callId);
    await answer(system, answered.callId, home.kitchen, home.members.Alex.voice);
    const connected = await callIn(system, answered.callId, ['connected']);
    expect(await answer(system, answered.callId, home.hall, home.members.Sam.voice)).toMatchObject({ status: 409, body: { code: 'already_answered' } });
    expect(await system.client.getCall(answered.callId)).toEqual(connected);
    await system.client.hangUp(answered.callId);

    const unknown = await answer(system, '00000000-0000-4000-8000-000000000000', home.kitchen, home.members.Alex.voice);
    expect(unknown).toMatchObject({ status: 404, body: { code: 'call_not_found' } });
  });

  it('rings nothing while Away Mode is on: rejected away_mode, the caller sent to voicemail; rings again once it is off', async () => {
    const home = await homeWithThreeSpeakers(system, watch);
    await system.client.setAwayMode(home.accountId, { enabled: true });
    await watch.projected(home.accountId, 'AwayModeChanged', (data) => data.enabled === true);

    const away = await dialIn(system, { from: pizzaPlace, to: home.msisdn });
    const rejected = await callIn(system, away.callId, settledStatuses);
    expect(rejected).toMatchObject({ status: 'rejected', reason: 'away_mode', devices: [] });
    await declinedWithoutRinging(watch, away.callId, 'away_mode');
    await sentToVoicemail(system, away.carrierCallId, 'away_mode');

    await system.client.setAwayMode(home.accountId, { enabled: false });
    await watch.projected(home.accountId, 'AwayModeChanged', (data) => data.enabled === false);
    const back = await dialIn(system, { from: pizzaPlace, to: home.msisdn });
    await untilRinging(system, watch, home, back.callId);
    // Read well after its decline: the Away Mode call's stream still holds no ring.
    expect(ringsOf(watch.routingEventsOf(away.callId))).toEqual([]);
    await system.carrier.hangUp(back.carrierCallId);
  });

  it('rings nothing within a quiet-hours window that crosses midnight in the household\'s zone, and rings outside it', async () => {
    const now = new Date();
    const zone = zoneNearMidnight(now);
    const from = localClock(new Date(now.getTime() - 90 * 60_000), zone);
    const to = localClock(new Date(now.getTime() + 90 * 60_000), zone);
    expect(from.hhmm > to.hhmm).toBe(true); // the window runs over midnight, local time
    const home = await homeWithThreeSpeakers(system, watch, { timezone: zone });

    // The window belongs to the day it starts on; its early hours are the next day's.
    const covering = { days: [from.weekday], start: from.hhmm, end: to.hhmm };
    await system.client.setQuietHours(home.accountId, [covering]);
    await watch.projected(home.accountId, 'QuietHoursChanged', sameWindows([covering]));
    const quiet = await dialIn(system, { from: stranger, to: home.msisdn });
    expect(await callIn(system, quiet.callId, settledStatuses)).toMatchObject({ status: 'rejected', reason: 'quiet_hours' });
    await declinedWithoutRinging(watch, quiet.callId, 'quiet_hours');
    await sentToVoicemail(system, quiet.carrierCallId, 'quiet_hours');

    // The same hours starting the next day do not cover now.
    const elsewhen = { ...covering, days: [dayAfter(from.weekday)] };
    await system.client.setQuietHours(home.accountId, [elsewhen]);
    await watch.projected(home.accountId, 'QuietHoursChanged', sameWindows([elsewhen]));
    const rings = await dialIn(system, { from: stranger, to: home.msisdn });
    await untilRinging(system, watch, home, rings.callId);
    console.log(`quiet hours in ${zone}: ${JSON.stringify(covering)} covered ${localClock(now, zone).weekday} ${localClock(now, zone).hhmm}; ${JSON.stringify(elsewhen)} did not`);
    await system.carrier.hangUp(rings.carrierCallId);
  });

  it('rings every speaker within the emergency call-back window after the household called 911, Away Mode notwithstanding, and lets a child answer it', async () => {
    const home = await homeWithThreeSpeakers(system, watch);
    // A visitor dials 911 from the kitchen: unverified, and connected all the same (docs/architecture.md section 1).
    const voice = home.kitchen.assert({ subject: '911', embedding: simulatedSpeaker('a visitor').utter() });
    const emergency = await system.client.placeCall({ deviceId: home.kitchen.deviceId, target: '911', voice });
    expect(await callIn(system, emergency.callId, settledStatuses)).toMatchObject({ status: 'connected', destination: { class: 'emergency', e164: '911' } });
    await system.client.hangUp(emergency.callId);
    await system.client.setAwayMode(home.accountId, { enabled: true });
    await watch.projected(home.accountId, 'AwayModeChanged', (data) => data.enabled === true);

    const callBack = await dialIn(system, { from: '+15550100911', to: home.msisdn });
    const { events } = await untilRinging(system, watch, home, callBack.callId);
    expect(events[0].data).toMatchObject({ emergencyCallback: true });
    // The child may have been the one who dialled: any member takes the call-taker's call, though it is from no contact.
    expect((await answer(system, callBack.callId, home.bedroom, home.members.Kim.voice)).status).toBe(202);
    expect(await callIn(system, callBack.callId, ['connected'])).toMatchObject({ memberId: home.members.Kim.memberId, deviceId: home.bedroom.deviceId });
    await untilBridged(system, watch, home, callBack, home.bedroom);
    await system.client.hangUp(callBack.callId);
  });
});
