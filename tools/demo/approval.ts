import { approverPhone, simulatedDevice } from '@homeline/device-sim';
import { createHousehold, type HomelineClient } from '@homeline/system';
import { heading, note, showCall } from './show';
import { place, spokenOn } from './steps';

/**
 * Step-up approval (issue 11, docs/architecture.md section 6.2): once Alex's phone is the
 * household's approver, a new speaker waits for Alex's yes on it, and places no call until then.
 */
export async function newSpeakerApproval(client: HomelineClient) {
  const home = await createHousehold(client);
  const { Alex } = home.members;
  const phone = approverPhone(`alex-phone-${home.accountId}`);
  await client.registerApprover(home.accountId, Alex.memberId, { approverId: phone.approverId, publicKey: phone.publicKey });
  console.log(`\n━━ Approval. Household ${home.accountId} on line ${home.msisdn}; Alex's phone (${phone.approverId}) is its approver`);

  const garage = simulatedDevice(`garage-${home.accountId}`);
  const held = await client.linkDevice(home.accountId, { deviceId: garage.deviceId, name: 'Garage speaker', publicKey: garage.publicKey, location: { room: 'garage', floor: '0' } });
  heading('Someone links a garage speaker');
  if (!held.approvalId) throw new Error(`linking another device was not held for approval: ${JSON.stringify(held)}`);
  const pending = await client.getApproval(home.accountId, held.approvalId);
  note(`identity answers 202, ${held.status}: approval ${held.approvalId} of ${pending.action.type} "${pending.action.name}", held until an owner approves it on the phone`);

  showCall('Alex, at the garage speaker: "Alexa, call Mom"', await place(client, spokenOn(garage, Alex.voice, 'Mom')));

  const decided = await client.decideApproval(home.accountId, held.approvalId, phone.sign(held.approvalId, 'approve'));
  heading("Alex taps Approve on the phone: it signs the decision with the approver's key");
  note(`approval ${held.approvalId}: ${decided.status}`);

  const mom = await place(client, spokenOn(garage, Alex.voice, 'Mom'));
  showCall('Alex, at the garage speaker again: "Alexa, call Mom"', mom);
  if (mom.status === 'connected') await client.hangUp(mom.callId);
}
