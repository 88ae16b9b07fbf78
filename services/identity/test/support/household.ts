import { simulatedDevice, type SimulatedDevice, type SimulatedSpeaker } from '@homeline/device-sim';
import type { IdentityUnderTest } from './identity-app';

let lines = 0;
/** A fresh, possible US line per household. */
export const nextLine = (): string => `+1555${String(2000000 + ++lines).padStart(7, '0')}`;

export interface Household {
  readonly accountId: string;
  readonly members: Record<string, string>;
  readonly device: SimulatedDevice;
}

/** Registers a household over HTTP: one member per speaker (enrolled with their voiceprint) and one linked device. */
export const registerHousehold = async (
  identity: IdentityUnderTest,
  speakers: Record<string, { speaker: SimulatedSpeaker; role: 'owner' | 'adult' | 'child' | 'guest' }>,
  deviceId: string,
): Promise<Household> => {
  const opened = await identity.call('POST', '/v1/accounts', {
    msisdn: nextLine(), displayName: 'Household', timezone: 'America/New_York',
    address: { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
  });
  const accountId: string = opened.body.accountId;
  const members: Record<string, string> = {};
  for (const [name, { speaker, role }] of Object.entries(speakers)) {
    const { body } = await identity.call('POST', `/v1/accounts/${accountId}/members`, { name, role });
    members[name] = body.memberId;
    await identity.call('POST', `/v1/accounts/${accountId}/members/${body.memberId}/voiceprints`, { embedding: speaker.voiceprint });
  }
  const device = simulatedDevice(deviceId);
  const linked = await identity.call('POST', `/v1/accounts/${accountId}/devices`, { deviceId, name: 'Kitchen', publicKey: device.publicKey });
  if (linked.status !== 201) throw new Error(`linking ${deviceId}: ${JSON.stringify(linked.body)}`);
  return { accountId, members, device };
};
