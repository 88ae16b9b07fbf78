import { randomUUID } from 'node:crypto';
import type { Envelope } from '@homeline/contracts';
import { simulatedDevice, type SimulatedDevice, type SimulatedSpeaker } from '@homeline/device-sim';
import { eventually } from '@homeline/testing';
import { createHousehold, uniqueMsisdn, type Household } from '../../src/household';
import { HttpProblem, type CallView } from '../../src/homeline-client';
import type { RunningSystem } from '../../src/running-system';
import { cancellations, each, type TopicWatch } from './topic-watch';

/** A household of createHousehold with three speakers: the kitchen's, and a hall and a bedroom one. */
export interface Home extends Household {
  readonly kitchen: SimulatedDevice;
  readonly hall: SimulatedDevice;
  readonly bedroom: SimulatedDevice;
  readonly speakers: readonly SimulatedDevice[];
}

/**
 * A household with three linked speakers (and the contacts given), once routing and calls have read
 * all of it: a call offered after this rings every speaker. That of createHousehold (America/New_York,
 * its members and contacts), or in another zone a line with speakers and nobody enrolled.
 */
export async function homeWithThreeSpeakers(
  system: RunningSystem,
  watch: TopicWatch,
  options: { contacts?: ReadonlyArray<{ name: string; number: string; sensitive?: boolean }>; timezone?: string } = {},
): Promise<Home> {
  const household = options.timezone ? await speakersOnlyHome(system, options.timezone) : await createHousehold(system.client);
  for (const contact of options.contacts ?? []) await system.client.addContact(household.accountId, contact);
  const seed = randomUUID();
  const hall = simulatedDevice(`hall-${seed}`);
  const bedroom = simulatedDevice(`bedroom-${seed}`);
  await system.client.linkDevice(household.accountId, { deviceId: hall.deviceId, name: 'Hall speaker', publicKey: hall.publicKey, location: { room: 'hall' } });
  await system.client.linkDevice(household.accountId, { deviceId: bedroom.deviceId, name: 'Bedroom speaker', publicKey: bedroom.publicKey, location: { room: 'bedroom', floor: '2' } });
  // Events of one household share its stream, hence one partition: past the last one, past them all.
  await watch.projected(household.accountId, 'DeviceLinked', (data) => data.deviceId === bedroom.deviceId);
  const kitchen = household.device;
  return { ...household, kitchen, hall, bedroom, speakers: [kitchen, hall, bedroom] };
}

async function speakersOnlyHome(system: RunningSystem, timezone: string): Promise<Household> {
  const msisdn = uniqueMsisdn();
  const { accountId } = await system.client.openAccount({
    msisdn, displayName: `A home in ${timezone}`, timezone,
    address: { line1: '1 Main Street', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
  });
  const kitchen = simulatedDevice(`kitchen-${accountId}`);
  await system.client.linkDevice(accountId, { deviceId: kitchen.deviceId, name: 'Kitchen speaker', publicKey: kitchen.publicKey });
  return { accountId, msisdn, device: kitchen, members: {} };
}

/** A caller dials the household's line through the carrier simulator; routing's answer names the call. */
export async function dialIn(system: RunningSystem, caller: { from: string; to: string; sensitive?: boolean }) {
  const offered = await system.carrier.offerInbound(caller);
  expect(offered.routing.status).toBe(202);
  const callId = String((offered.routing.body as { callId: string }).callId);
  return { callId, carrierCallId: offered.carrierCallId };
}

/** The call as calls shows it, once it has one of `statuses` (calls opens it when it reads routing's offer). */
export async function callIn(system: RunningSystem, callId: string, statuses: readonly string[], timeoutMs = 20_000): Promise<CallView> {
  return eventually(async () => {
    const call = await system.client.getCall(callId);
    if (!statuses.includes(call.status)) throw new Error(`call ${callId} is ${call.status}, not ${statuses.join('/')}`);
    return call;
  }, { timeoutMs });
}

/** Polls the call until `done` holds for it. */
export async function callWhen(system: RunningSystem, callId: string, done: (call: CallView) => boolean, timeoutMs = 20_000): Promise<CallView> {
  return eventually(async () => {
    const call = await system.client.getCall(callId);
    if (!done(call)) throw new Error(`call ${callId}: ${JSON.stringify({ status: call.status, devices: call.devices })}`);
    return call;
  }, { timeoutMs });
}

export type AnswerReply = { readonly status: number; readonly body: Record<string, unknown> };

/** "Alexa, answer" from `device`, said by `speaker`: the HTTP status and body, a problem included. */
export async function answer(system: RunningSystem, callId: string, device: SimulatedDevice, speaker: SimulatedSpeaker): Promise<AnswerReply> {
  const voice = device.assert({ purpose: 'answer-call', subject: callId, embedding: speaker.utter() });
  return answerWith(system, callId, device.deviceId, voice);
}

export async function answerWith(system: RunningSystem, callId: string, deviceId: string, voice: ReturnType<SimulatedDevice['assert']>): Promise<AnswerReply> {
  try {
    return { status: 202, body: await system.client.answerCall(callId, { deviceId, voice }) };
  } catch (error) {
    if (error instanceof HttpProblem) return { status: error.status, body: error.body };
    throw error;
  }
}

export const ringsOf = (events: readonly Envelope[]) => events.filter((e) => e.type === 'DeviceRingRequested');
export const byDevice = <T extends { deviceId: string }>(items: readonly T[] = []) => [...items].sort((a, b) => a.deviceId.localeCompare(b.deviceId));
export const deviceIn = (call: CallView, deviceId: string) => call.devices?.find((d) => d.deviceId === deviceId);
export type Room = 'kitchen' | 'hall' | 'bedroom';
const rooms: readonly Room[] = ['kitchen', 'hall', 'bedroom'];

/** Every device of the call's view by the room of the home's speaker it is (`state` or `state:reason`); any other by its id. */
export const roomsOf = (home: Home, call: CallView): Record<string, string> =>
  Object.fromEntries((call.devices ?? []).map((d) => [
    rooms.find((room) => home[room].deviceId === d.deviceId) ?? d.deviceId,
    d.reason ? `${d.state}:${d.reason}` : d.state,
  ]));
export const settledStatuses = ['connected', 'ended', 'rejected', 'failed'];

/** The call is offered and every speaker was asked to ring: on the topic, and in calls' view. */
export async function untilRinging(system: RunningSystem, watch: TopicWatch, home: Home, callId: string) {
  const events = await watch.routingEventsUntil(callId, (e) => ringsOf(e).length === home.speakers.length);
  const call = await callIn(system, callId, ['ringing']);
  expect(roomsOf(home, call)).toEqual({ kitchen: 'ringing', hall: 'ringing', bedroom: 'ringing' });
  return { events, call };
}

/**
 * Nothing rang: routing's stream for the call, read without a gap up to the decline, holds the
 * offer to no device (routing decides the offer and its rings in one step, on the call's stream).
 */
export async function declinedWithoutRinging(watch: TopicWatch, callId: string, reason: string) {
  const events = await watch.routingEventsUntil(callId, (e) => e.some((x) => x.type === 'InboundCallDeclined'));
  expect(events.map((e) => e.type)).toEqual(['InboundCallOffered', 'InboundCallDeclined']);
  expect(events[0].data).toMatchObject({ devices: [], emergencyCallback: false });
  expect(events[1].data).toMatchObject({ callId, reason });
}

/**
 * The answering speaker has the call: routing had the carrier bridge the caller to it and told every
 * other speaker to stop (answered_elsewhere), the only events on the call's stream after the rings.
 */
export async function untilBridged(system: RunningSystem, watch: TopicWatch, home: Home, call: { callId: string; carrierCallId: string }, to: SimulatedDevice) {
  const { callId, carrierCallId } = call;
  const events = await watch.routingEventsUntil(callId, (e) => cancellations(e).length === 2 && e.some((x) => x.type === 'InboundCallBridged'));
  expect(events.slice(1 + home.speakers.length).map((e) => e.type)).toEqual(['InboundCallBridged', 'DeviceRingCancelled', 'DeviceRingCancelled']);
  expect(events.find((e) => e.type === 'InboundCallBridged')?.data).toEqual({ callId, carrierCallId, deviceId: to.deviceId });
  expect(cancellations(events)).toEqual(each(home.speakers.filter((d) => d !== to), 'answered_elsewhere'));
  await eventually(async () => expect(await system.carrier.call(carrierCallId)).toMatchObject({ state: 'bridged', bridgedTo: to.deviceId }));
}

export const sentToVoicemail = (system: RunningSystem, carrierCallId: string, reason: string) =>
  eventually(async () => expect(await system.carrier.call(carrierCallId)).toMatchObject({ state: 'voicemail', voicemailReason: reason }));
