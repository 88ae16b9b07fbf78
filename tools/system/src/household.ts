import { randomUUID } from 'node:crypto';
import type { VoiceAssertion } from '@homeline/contracts';
import { simulatedDevice, simulatedSpeaker, type SimulatedDevice, type SimulatedSpeaker } from '@homeline/device-sim';
import type { HomelineClient } from './homeline-client';

export type Role = 'owner' | 'adult' | 'child' | 'guest';

export interface HouseholdMember {
  readonly name: string;
  readonly role: Role;
  readonly memberId: string;
  readonly voice: SimulatedSpeaker;
}

export interface Household {
  readonly accountId: string;
  readonly msisdn: string;
  readonly device: SimulatedDevice;
  readonly members: Readonly<Record<string, HouseholdMember>>;
}

/** A US line number unique enough for one run: +1 555 01xx xxxx. */
export const uniqueMsisdn = (): string => `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

/**
 * The household every scenario starts from: Alex (owner), Sam (adult), Kim (child), Jo (guest),
 * one kitchen speaker, Alex's "Mom", Sam's different "Mom", and a household "Pizza Place".
 */
export async function createHousehold(client: HomelineClient, seed = randomUUID()): Promise<Household> {
  const msisdn = uniqueMsisdn();
  const { accountId } = await client.openAccount({
    msisdn,
    displayName: 'The Rivera home',
    timezone: 'America/New_York',
    address: { line1: '12 Elm Street', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
  });
  const members: Record<string, HouseholdMember> = {};
  for (const [name, role] of [['Alex', 'owner'], ['Sam', 'adult'], ['Kim', 'child'], ['Jo', 'guest']] as const) {
    const { memberId } = await client.addMember(accountId, { name, role });
    const voice = simulatedSpeaker(`${seed}/${name}`);
    await client.enrollVoiceprint(accountId, memberId, voice.voiceprint);
    members[name] = { name, role, memberId, voice };
  }
  const device = simulatedDevice(`kitchen-${seed}`);
  await client.linkDevice(accountId, { deviceId: device.deviceId, name: 'Kitchen speaker', publicKey: device.publicKey, location: { room: 'kitchen', floor: '1' } });
  await client.addContact(accountId, { name: 'Mom', aliases: ['Mother'], number: '+1 555 010 0001', memberId: members.Alex.memberId });
  await client.addContact(accountId, { name: 'Mom', number: '+1 555 010 0002', memberId: members.Sam.memberId });
  await client.addContact(accountId, { name: 'Pizza Place', number: '+1 555 010 0003' });
  return { accountId, msisdn, device, members };
}

/** What the kitchen speaker sends when `speaker` says "call <target>". */
export const spokenRequest = (household: Household, speaker: SimulatedSpeaker, target: string, overrides: { liveness?: number } = {}) => {
  const voice: VoiceAssertion = household.device.assert({ subject: target, embedding: speaker.utter(), liveness: overrides.liveness });
  return { deviceId: household.device.deviceId, target, voice };
};
