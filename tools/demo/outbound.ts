import { replayOf, simulatedSpeaker } from '@homeline/device-sim';
import { createHousehold, spokenRequest, type HomelineClient } from '@homeline/system';
import { note, showCall } from './show';
import { place } from './steps';

/** Five requests to the kitchen speaker and what Homeline decides for each (issue 1's demo). */
export async function outboundCalls(client: HomelineClient) {
  const home = await createHousehold(client);
  const { Alex, Jo, Kim } = home.members;
  console.log(`\n━━ Placing calls. Household ${home.accountId} on line ${home.msisdn}: Alex (owner), Sam (adult), Kim (child), Jo (guest); a kitchen speaker`);

  const mom = await place(client, spokenRequest(home, Alex.voice, 'Mom'));
  showCall('Alex (owner): "Alexa, call Mom"', mom);
  if (mom.status === 'connected') showCall('… and Alex hangs up', await client.hangUp(mom.callId));

  showCall('Jo (guest): "Alexa, call +1 555 010 7777"', await place(client, spokenRequest(home, Jo.voice, '+1 555 010 7777')));

  const original = spokenRequest(home, Alex.voice, 'Pizza Place');
  const pizza = await place(client, original);
  if (pizza.status === 'connected') await client.hangUp(pizza.callId);
  showCall('A recording replays Alex\'s earlier request', await place(client, { ...original, voice: replayOf(original.voice) }));

  showCall('Kim (child): "Alexa, call +1 555 010 8888" (not a contact)', await place(client, spokenRequest(home, Kim.voice, '+1 555 010 8888')));

  const emergency = await place(client, spokenRequest(home, simulatedSpeaker('a stranger'), '911'));
  showCall('An unrecognised voice: "Alexa, call 911"', emergency);
  const audit = await client.auditEntries({ callId: emergency.callId });
  note(`audit for this call: ${audit.entries.map((e) => e.type).join(', ')}`);
  if (emergency.status === 'connected') await client.hangUp(emergency.callId);
}
