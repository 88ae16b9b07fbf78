/**
 * npm run demo — against a running `npm start`: creates a household and shows, as readable timelines,
 * what Homeline decides for five requests.
 */
import { replayOf, simulatedSpeaker } from '@homeline/device-sim';
import { createHousehold, localClient, spokenRequest, type CallView, type HomelineClient } from '@homeline/system';

const show = (title: string, call: CallView) => {
  console.log(`\n── ${title}`);
  console.log(`   call ${call.callId}: ${call.status}${call.reason ? ` (${call.reason})` : ''}${call.destination ? ` → ${call.destination.e164} [${call.destination.class}]` : ''}`);
  const start = call.timeline.length ? Date.parse(call.timeline[0].at) : 0;
  for (const step of call.timeline) {
    console.log(`   +${String(Date.parse(step.at) - start).padStart(5)} ms  ${step.type}`);
  }
};

async function place(client: HomelineClient, request: Parameters<HomelineClient['placeCall']>[0]) {
  const { callId } = await client.placeCall(request);
  return client.waitForCall(callId, ['connected', 'ended', 'rejected', 'failed']);
}

async function main() {
  const client = localClient();
  const home = await createHousehold(client);
  const { Alex, Jo, Kim } = home.members;
  console.log(`household ${home.accountId} on line ${home.msisdn}: Alex (owner), Sam (adult), Kim (child), Jo (guest); a kitchen speaker`);

  const mom = await place(client, spokenRequest(home, Alex.voice, 'Mom'));
  show('Alex (owner): "Alexa, call Mom"', mom);
  if (mom.status === 'connected') show('… and Alex hangs up', await client.hangUp(mom.callId));

  show('Jo (guest): "Alexa, call +1 555 010 7777"', await place(client, spokenRequest(home, Jo.voice, '+1 555 010 7777')));

  const original = spokenRequest(home, Alex.voice, 'Pizza Place');
  await place(client, original);
  show('A recording replays Alex\'s earlier request', await place(client, { ...original, voice: replayOf(original.voice) }));

  show('Kim (child): "Alexa, call +1 555 010 8888" (not a contact)', await place(client, spokenRequest(home, Kim.voice, '+1 555 010 8888')));

  const stranger = spokenRequest(home, simulatedSpeaker('a stranger'), '911');
  const emergency = await place(client, stranger);
  show('An unrecognised voice: "Alexa, call 911"', emergency);
  const audit = await client.auditEntries({ callId: emergency.callId });
  console.log(`   audit for this call: ${audit.entries.map((e) => e.type).join(', ')}`);
  if (emergency.status === 'connected') await client.hangUp(emergency.callId);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
