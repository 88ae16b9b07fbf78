import { startSystem, type RunningSystem } from '../src/running-system';
import { answer, callIn, dialIn, homeWithThreeSpeakers, ringsOf, roomsOf, sentToVoicemail, settledStatuses } from './support/inbound';
import { cancellations, each, TopicWatch } from './support/topic-watch';

/**
 * The ring deadline of docs/architecture.md section 6.1, on a system of its own whose calls service
 * gives up after CALL_RING_TIMEOUT_MS = 1.5 s (the other inbound cases, inbound-call.e2e-spec.ts,
 * run at the default 30 s, so that a slow moment never fails them as unanswered).
 */
const pizzaPlace = '+15550100003'; // a household contact of createHousehold

describe('an inbound call nobody answers', () => {
  let system: RunningSystem;
  let watch: TopicWatch;

  beforeAll(async () => {
    system = await startSystem({ env: { calls: { CALL_RING_TIMEOUT_MS: '1500' } } });
    watch = await TopicWatch.start(system);
  }, 180_000);

  afterAll(async () => {
    await watch?.stop();
    await system?.stop();
  });

  it('fails no_answer after CALL_RING_TIMEOUT_MS, stops every speaker and sends the caller to voicemail', async () => {
    const home = await homeWithThreeSpeakers(system, watch);
    const { callId, carrierCallId } = await dialIn(system, { from: pizzaPlace, to: home.msisdn });
    await watch.routingEventsUntil(callId, (e) => ringsOf(e).length === 3);
    const failed = await callIn(system, callId, settledStatuses);
    expect(failed).toMatchObject({ status: 'failed', reason: 'no_answer' });
    expect(roomsOf(home, failed)).toEqual({ kitchen: 'cancelled:no_answer', hall: 'cancelled:no_answer', bedroom: 'cancelled:no_answer' });
    const events = await watch.routingEventsUntil(callId, (e) => cancellations(e).length === 3);
    expect(cancellations(events)).toEqual(each(home.speakers, 'no_answer'));
    await sentToVoicemail(system, carrierCallId, 'no_answer');
    expect(await answer(system, callId, home.kitchen, home.members.Alex.voice)).toMatchObject({ status: 409, body: { code: 'call_ended' } });
  });
});
