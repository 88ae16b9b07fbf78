import { randomUUID } from 'node:crypto';
import { simulatedDevice, simulatedSpeaker, type SimulatedDevice, type SimulatedSpeaker } from '@homeline/device-sim';
import type { HomelineClient } from '@homeline/system';

/** A line the carrier rings: one owner with an enrolled voice, and every speaker of the home linked. */
export interface InboundHousehold {
  readonly accountId: string;
  readonly msisdn: string;
  readonly owner: { readonly memberId: string; readonly voice: SimulatedSpeaker };
  /** devices[0] is the one the owner answers on. */
  readonly devices: readonly SimulatedDevice[];
}

const rooms = ['kitchen', 'living-room', 'bedroom', 'hall', 'office', 'attic'];

/** +1 555 7xx xxxx, distinct within one run (the bench's system is fresh, so that is enough). */
const msisdnOf = (i: number) => `+15557${String(i).padStart(6, '0')}`;

async function createOne(client: HomelineClient, index: number, devicesEach: number): Promise<InboundHousehold> {
  const msisdn = msisdnOf(index);
  const { accountId } = await client.openAccount({
    msisdn,
    displayName: `Bench home ${index}`,
    timezone: 'America/Chicago',
    address: { line1: `${index} Main Street`, city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
  });
  const { memberId } = await client.addMember(accountId, { name: 'Alex', role: 'owner' });
  const voice = simulatedSpeaker(`bench-inbound/${accountId}/Alex`);
  await client.enrollVoiceprint(accountId, memberId, voice.voiceprint);
  const devices: SimulatedDevice[] = [];
  for (let d = 0; d < devicesEach; d++) {
    const room = rooms[d % rooms.length];
    const device = simulatedDevice(`${room}-${randomUUID()}`);
    await client.linkDevice(accountId, { deviceId: device.deviceId, name: `${room} speaker`, publicKey: device.publicKey, location: { room } });
    devices.push(device);
  }
  return { accountId, msisdn, owner: { memberId, voice }, devices };
}

/** `count` households of `devicesEach` speakers, a few at a time (set-up is not what the bench measures). */
export async function createInboundHouseholds(client: HomelineClient, count: number, devicesEach: number, parallel = 8): Promise<InboundHousehold[]> {
  const households: InboundHousehold[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) households[i] = await createOne(client, i, devicesEach);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return households;
}
