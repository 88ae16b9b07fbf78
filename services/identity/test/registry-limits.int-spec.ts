import { simulatedSpeaker } from '@homeline/device-sim';
import { randomBytes } from 'node:crypto';
import { accountRequest, openAccount } from './support/household';
import { useIdentity, type IdentityUnderTest } from './support/identity-app';


/** Issue 11, findings 5 and 6: what the registry refuses or keeps apart, over HTTP. */
describe('the household registry\'s limits', () => {
  let identity: IdentityUnderTest;

  const fixture = useIdentity();
  beforeAll(() => {
    ({ identity } = fixture);
  });

  it('scopes an Idempotency-Key by the account it acts on: two households sending the same key each get their own answer', async () => {
    const key = { 'idempotency-key': 'shared-key-1' };
    const [first, second] = [accountRequest(), accountRequest()];
    const opened = [await identity.call('POST', '/v1/accounts', first, key), await identity.call('POST', '/v1/accounts', second, key)];
    expect(opened.map((r) => r.status)).toEqual([201, 201]);
    expect(opened[0].body.accountId).not.toBe(opened[1].body.accountId);
    const added = await Promise.all(opened.map(({ body }) => identity.call('POST', `/v1/accounts/${body.accountId}/members`, { name: 'Ana', role: 'owner' }, key)));
    expect(added.map((r) => r.status)).toEqual([201, 201]);
    expect(added[0].body.memberId).not.toBe(added[1].body.memberId);
  });

  it('refuses an account in a country without a numbering plan (issue 11, finding 6)', async () => {
    const zz = accountRequest();
    const refused = await identity.call('POST', '/v1/accounts', { ...zz, address: { ...zz.address, country: 'ZZ' } });
    expect(refused).toMatchObject({ status: 422, body: { code: 'unsupported_country' } });
  });

  it('refuses a voiceprint beyond VOICEPRINTS_PER_MEMBER_MAX (5) for one member (issue 11, finding 6)', async () => {
    const accountId = await openAccount(identity);
    const { body } = await identity.call('POST', `/v1/accounts/${accountId}/members`, { name: 'Ana', role: 'adult' });
    const enrol = (take: number) =>
      identity.call('POST', `/v1/accounts/${accountId}/members/${body.memberId}/voiceprints`, { embedding: simulatedSpeaker('ana').utter({ take }) });
    for (let take = 0; take < 5; take++) expect((await enrol(take)).status).toBe(201);
    expect(await enrol(5)).toMatchObject({ status: 409, body: { code: 'too_many_voiceprints' } });
    expect((await identity.call('GET', `/v1/accounts/${accountId}`)).body.members[0].voiceprints).toBe(5);
  });

  it('refuses a contact that would shadow an emergency number, by name, alias or number (issue 11, finding 5)', async () => {
    const accountId = await openAccount(identity);
    for (const contact of [
      { name: 'Hotline', aliases: ['nine one one'], number: '+1 900 555 0100' },
      { name: 'Emergency', number: '+1 900 555 0100' },
      { name: '911', number: '+1 900 555 0100' },
      { name: 'Dispatch', number: '911' },
    ]) {
      const refused = await identity.call('POST', `/v1/accounts/${accountId}/contacts`, contact);
      expect(refused).toMatchObject({ status: 422, body: { code: 'shadows_emergency_number' } });
    }
    expect((await identity.call('GET', `/v1/accounts/${accountId}`)).body.contacts).toEqual([]);
  });

  it('answers 404, not 500, for a member or device id longer than any key index holds, sent with an Idempotency-Key', async () => {
    const accountId = await openAccount(identity);
    const longId = randomBytes(4000).toString('base64url');
    const key = { 'idempotency-key': 'long-path' };
    expect(await identity.call('PATCH', `/v1/accounts/${accountId}/members/${longId}`, { role: 'adult' }, key)).toMatchObject({ status: 404, body: { code: 'member_not_found' } });
    expect(await identity.call('DELETE', `/v1/accounts/${accountId}/devices/${longId}`, undefined, key)).toMatchObject({ status: 404, body: { code: 'device_not_found' } });
  });
});
