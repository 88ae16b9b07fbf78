import { simulatedDevice, type SimulatedDevice, type SimulatedSpeaker } from '@homeline/device-sim';
import type { IdentityUnderTest } from './identity-app';

let lines = 0;
/** A fresh, possible US line per household. */
export const nextLine = (): string => `+1555${String(2000000 + ++lines).padStart(7, '0')}`;

const springfield = { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' };

/** The body of POST /v1/accounts: a household in Springfield, IL, on a fresh line unless told otherwise. */
export const accountRequest = (fields: { msisdn?: string; displayName?: string; timezone?: string } = {}) => ({
  msisdn: fields.msisdn ?? nextLine(),
  displayName: fields.displayName ?? 'The Riveras',
  timezone: fields.timezone ?? 'America/New_York',
  address: springfield,
});

/** Opens an account over HTTP (a setup step: anything but 201 fails the test) and gives its id. */
export const openAccount = async (identity: IdentityUnderTest, fields: Parameters<typeof accountRequest>[0] = {}): Promise<string> => {
  const { status, body } = await identity.call('POST', '/v1/accounts', accountRequest(fields));
  expect(status).toBe(201);
  return body.accountId as string;
};

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
  const accountId = await openAccount(identity, { displayName: 'Household' });
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
