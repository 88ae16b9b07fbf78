import { simulatedDevice } from '@homeline/device-sim';
import { createHousehold, type Household, type HomelineClient } from '@homeline/system';
import { heading, note, runsOf, showCall, showDevices, type DeviceNames } from './show';
import { answerOn, offerOnceKnown, untilView, type Carrier } from './steps';

const bankNumber = '+1 555 010 2222';
const bankE164 = '+15550102222';
const pizzaPlaceE164 = '+15550100003';

/** The household's kitchen speaker and two more, linked now: every one of them rings. */
async function speakers(client: HomelineClient, home: Household) {
  const livingRoom = simulatedDevice(`living-room-${home.accountId}`);
  const bedroom = simulatedDevice(`kids-bedroom-${home.accountId}`);
  await client.linkDevice(home.accountId, { deviceId: livingRoom.deviceId, name: 'Living-room speaker', publicKey: livingRoom.publicKey, location: { room: 'living room', floor: '1' } });
  await client.linkDevice(home.accountId, { deviceId: bedroom.deviceId, name: "Kim's bedroom speaker", publicKey: bedroom.publicKey, location: { room: 'bedroom', floor: '2' } });
  const names: DeviceNames = new Map([
    [home.device.deviceId, 'Kitchen speaker'],
    [livingRoom.deviceId, 'Living-room speaker'],
    [bedroom.deviceId, "Kim's bedroom speaker"],
  ]);
  return { kitchen: home.device, bedroom, names };
}

const retried = (earlierOffers: number, change: string) => {
  if (earlierOffers > 0) note(`(${change} reached routing over Kafka after ${earlierOffers} earlier offer(s), which rang as before; each caller hung up and dialled again)`);
};

/**
 * "Alexa, answer" (issue 8, docs/architecture.md section 6.1): the bank calls, every speaker
 * rings, the child's answer is refused, the owner's is taken, the others stop ringing. Then Away
 * Mode sends a caller to voicemail without ringing anything.
 */
export async function inboundCalls(client: HomelineClient, carrier: Carrier) {
  const home = await createHousehold(client);
  const { Alex, Kim } = home.members;
  const { kitchen, bedroom, names } = await speakers(client, home);
  await client.addContact(home.accountId, { name: 'Bank', number: bankNumber, sensitive: true });
  console.log(`\n━━ Answering calls. Household ${home.accountId} on line ${home.msisdn}: three speakers; "Bank" (${bankNumber}) is a contact marked sensitive`);

  const bank = await offerOnceKnown(client, carrier, { from: bankE164, to: home.msisdn }, (c) => c.callerName === 'Bank' && c.devices?.length === names.size);
  const callId = bank.call.callId;
  heading(`The bank calls the line (carrier call ${bank.carrierCallId}): every speaker rings`);
  note(`inbound call ${callId}: ${bank.call.status}, from ${bank.call.from} "${bank.call.callerName}"${bank.call.sensitive ? ', sensitive: only a member holding answer_sensitive may answer' : ''}`);
  retried(bank.earlierOffers, 'the new speakers and the contact');
  showDevices(bank.call, names);

  const kims = await client.answerCall(callId, answerOn(bedroom, Kim.voice, callId));
  const refused = await untilView(client, callId, (c) => c.devices?.find((d) => d.deviceId === bedroom.deviceId)?.state === 'refused', "Kim's answer refused");
  heading(`Kim (child) in her bedroom: "Alexa, answer"`);
  note(`calls took the answer for checking (202, call ${kims.status}); identity refused it, the other speakers keep ringing:`);
  showDevices(refused, names);

  await client.answerCall(callId, answerOn(kitchen, Alex.voice, callId));
  const taken = await untilView(client, callId, (c) => c.status === 'connected' && !(c.devices ?? []).some((d) => d.state === 'ringing'), "Alex's answer taken and no speaker ringing");
  showCall('Alex (owner) in the kitchen: "Alexa, answer"', taken, names);
  note(`answered by ${taken.memberId === Alex.memberId ? 'Alex' : taken.memberId} on the ${names.get(taken.deviceId) ?? taken.deviceId}; the speakers now:`);
  showDevices(taken, names);
  note(`the call in the audit (routing's DeviceRing… events are what the speakers are told): ${runsOf(await auditOnceIn(client, callId, 'DeviceRingCancelled'))}`);
  await client.hangUp(callId);

  await client.setAwayMode(home.accountId, { enabled: true });
  const away = await offerOnceKnown(client, carrier, { from: pizzaPlaceE164, to: home.msisdn }, (c) => c.status === 'rejected');
  showCall('Away Mode on, and the Pizza Place calls', away.call, names);
  retried(away.earlierOffers, 'Away Mode');
  const rung = (away.call.devices ?? []).length;
  note(`${rung === 0 ? 'no speaker rang' : `${rung} speakers rang`}; the carrier sent the caller to ${await sentToVoicemail(carrier, away.carrierCallId)}`);
  await client.setAwayMode(home.accountId, { enabled: false });
}

/** routing tells the carrier through its outbox, so the simulator learns of the voicemail a moment later. */
async function sentToVoicemail(carrier: Carrier, carrierCallId: string, timeoutMs = 10_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const call = await carrier.call(carrierCallId);
    if (call?.voicemailReason) return `voicemail (${call.voicemailReason})`;
    if (Date.now() > until) return `nothing yet (the carrier's call is ${call?.state ?? 'unknown'})`;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The audit's entry types for a call, once `type` is among them (the audit reads every topic a moment later). */
async function auditOnceIn(client: HomelineClient, callId: string, type: string, timeoutMs = 10_000): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const types = (await client.auditEntries({ callId })).entries.map((e) => e.type);
    if (types.includes(type) || Date.now() > until) return types;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
