import { approverPhone, simulatedDevice, simulatedSpeaker } from '@homeline/device-sim';
import { eventually } from '@homeline/testing';
import type { Producer } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import { callRequested, speakerDecisionOn } from './support/call-requested';
import { accountRequest, registerHousehold } from './support/household';
import { useIdentity, type IdentityUnderTest } from './support/identity-app';
import { distinctEvents, type Received, type TopicTap } from './support/topic-tap';

const maria = simulatedSpeaker('maria');
const jon = simulatedSpeaker('jon');
/** The carrier's account desk's token: not the integration's. */
const deskToken = randomBytes(24).toString('hex');

/** The carrier closes an account: the speakers stop, the household's data goes, the line is free. */
describe('closing an account', () => {
  let identity: IdentityUnderTest;
  let producer: Producer;
  let published: TopicTap;

  const fixture = useIdentity({ conversation: true, env: { RECOVERY_TOKEN: deskToken } });
  beforeAll(() => {
    ({ identity, producer, published } = fixture);
  });

  const close = (accountId: string, token: string, body: unknown = { reason: 'number ported out, ticket 7731' }) =>
    fetch(`${identity.baseUrl}/v1/accounts/${accountId}/closure`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    }).then(async (res) => ({ status: res.status, body: await res.json() }));
  const publishedFor = (accountId: string, type: string): Received['value'][] =>
    distinctEvents(published.messages.filter((m) => m.value.type === type && m.value.accountId === accountId)).map((m) => m.value);

  it('takes only the account desk\'s token, unlinks every speaker, expires what waited, and frees the line for another household', async () => {
    const home = await registerHousehold(identity, { maria: { speaker: maria, role: 'owner' }, jon: { speaker: jon, role: 'adult' } }, `kitchen-${randomUUID()}`);
    const { accountId } = home;
    const { msisdn } = (await identity.call('GET', `/v1/accounts/${accountId}`)).body;
    const phone = approverPhone(`marias-phone-${randomUUID()}`);
    expect((await identity.call('POST', `/v1/accounts/${accountId}/members/${home.members.maria}/approvers`, { approverId: phone.approverId, publicKey: phone.publicKey })).status).toBe(201);
    const den = simulatedDevice(`den-${randomUUID()}`);
    const held = await identity.call('POST', `/v1/accounts/${accountId}/devices`, { deviceId: den.deviceId, name: 'Den', publicKey: den.publicKey });
    expect(held.status).toBe(202);

    expect((await close(accountId, identity.token)).status).toBe(401); // the integration's token is not enough
    expect(await close(accountId, deskToken, { reason: ' ' })).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    const closed = await close(accountId, deskToken);
    expect(closed).toEqual({
      status: 200, body: { accountId, unlinkedDevices: [home.device.deviceId], expiredApprovals: [held.body.approvalId] },
    });

    expect(await identity.call('GET', `/v1/accounts/${accountId}`)).toMatchObject({ status: 404, body: { code: 'account_not_found' } });
    expect(await identity.call('POST', `/v1/accounts/${accountId}/members`, { name: 'Leo', role: 'child' })).toMatchObject({ status: 404, body: { code: 'account_not_found' } });
    // The desk's retry without an Idempotency-Key (its first answer lost) finds the account closed: nothing more goes.
    expect(await close(accountId, deskToken)).toEqual({ status: 200, body: { accountId, unlinkedDevices: [], expiredApprovals: [] } });
    await eventually(() => {
      expect(publishedFor(accountId, 'DeviceUnlinked').map((e) => e.data.deviceId)).toEqual([home.device.deviceId]);
      expect(publishedFor(accountId, 'ApprovalExpired').map((e) => e.data.approvalId)).toEqual([held.body.approvalId]);
      expect(publishedFor(accountId, 'AccountClosed').map((e) => e.data)).toEqual([{ accountId, msisdn, reason: 'number ported out, ticket 7731' }]);
    });
    const [left] = await identity.db.query(
      `SELECT (SELECT count(*) FROM voiceprints WHERE account_id = $1)::int AS prints, (SELECT count(*) FROM members WHERE account_id = $1)::int AS members`,
      [accountId],
    );
    expect(left).toEqual({ prints: 0, members: 0 });

    // The old speaker places no call on the line any more, whoever speaks.
    const request = callRequested(home.device.deviceId, 'Mom', home.device.assert({ subject: 'Mom', embedding: maria.utter() }));
    expect(await speakerDecisionOn(producer, published, request)).toMatchObject({ type: 'SpeakerRejected', data: { reason: 'unlinked_device' } });

    // The line, and the speaker, can be another household's.
    const reopened = await identity.call('POST', '/v1/accounts', accountRequest({ msisdn }));
    expect(reopened).toMatchObject({ status: 201, body: { accountId: expect.any(String) } });
    expect(reopened.body.accountId).not.toBe(accountId);
    const relinked = await identity.call('POST', `/v1/accounts/${reopened.body.accountId}/devices`, { deviceId: home.device.deviceId, name: 'Kitchen', publicKey: home.device.publicKey });
    expect(relinked.status).toBe(201);
  });

  it('answers 404 for an account that does not exist', async () => {
    expect(await close(randomUUID(), deskToken)).toMatchObject({ status: 404, body: { code: 'account_not_found' } });
    expect(await close('not-an-id', deskToken)).toMatchObject({ status: 404, body: { code: 'account_not_found' } });
  });
});
