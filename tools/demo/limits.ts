import { simulatedSpeaker } from '@homeline/device-sim';
import { createHousehold, spokenRequest, type CallView, type HomelineClient } from '@homeline/system';
import { heading, note, showCall, showOutcomes, tally } from './show';
import { place } from './steps';

const number = '+1 555 010 4444';

/**
 * Toll-fraud limits (issue 11, docs/architecture.md section 6.2), with `npm start`'s defaults:
 * 4 calls at once on a line (MAX_CONCURRENT_CALLS_PER_LINE) and 10 a minute from a device
 * (RATE_LIMIT_DEVICE_PER_MINUTE). A burst goes over the first, 911 connects anyway, and calls
 * placed one at a time then go over the second.
 */
export async function tollFraudLimits(client: HomelineClient) {
  const home = await createHousehold(client);
  const { Alex } = home.members;
  const dial = () => place(client, spokenRequest(home, Alex.voice, number));
  console.log(`\n━━ Limits. Household ${home.accountId} on line ${home.msisdn}; npm start's defaults: 4 calls at once a line, 10 a minute a device`);

  const burst = await Promise.all(Array.from({ length: 10 }, dial));
  heading(`A burst: the kitchen speaker dials ${number} ten times at once (Alex's voice each time)`);
  showOutcomes(burst);
  note(`${tally(burst)}: the line carries 4 calls at once`);

  const emergency = await place(client, spokenRequest(home, simulatedSpeaker('a stranger'), '911'));
  showCall('The line is full, and an unrecognised voice says "Alexa, call 911"', emergency);
  note('an emergency call needs no verified voice, and no limit stops it');

  for (const call of [...burst, emergency]) if (call.status === 'connected') await hangUp(client, call.callId);
  heading('All hung up; the speaker dials again, one call at a time, hanging up each');
  const again: CallView[] = [];
  for (let call = await dial(); ; call = await dial()) {
    again.push(call);
    if (call.status !== 'connected' || again.length > 10) break;
    await hangUp(client, call.callId);
  }
  showOutcomes(again, burst.length + 1);
  const routed = [...burst, ...again].filter((c) => c.status === 'connected').length;
  note(`${tally(again)}: the device had placed ${routed} calls within the minute`);
}

/**
 * Hangs up and waits for the carrier to confirm the leg is over (CarrierLegEnded, seen in the
 * audit): until then the leg still counts as one of the line's calls at once.
 */
async function hangUp(client: HomelineClient, callId: string, timeoutMs = 10_000) {
  await client.hangUp(callId);
  const until = Date.now() + timeoutMs;
  while ((await client.auditEntries({ callId, type: 'CarrierLegEnded' })).entries.length === 0) {
    if (Date.now() > until) throw new Error(`call ${callId}: the carrier did not confirm the hang-up within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
