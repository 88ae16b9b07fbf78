import { simulatedDevice, simulatedSpeaker } from '@homeline/device-sim';
import { randomUUID } from 'node:crypto';
import { accountRequest, nextLine, openAccount } from './support/household';
import { useIdentity, type IdentityUnderTest } from './support/identity-app';


describe('the household registry over HTTP', () => {
  let identity: IdentityUnderTest;

  const fixture = useIdentity();
  beforeAll(() => {
    ({ identity } = fixture);
  });

  it('registers a household and shows it back, without any voice embedding', async () => {
    const maria = simulatedSpeaker('maria');
    const kitchen = simulatedDevice('kitchen-speaker-1');
    const accountId = await openAccount(identity);
    const owner = await identity.call('POST', `/v1/accounts/${accountId}/members`, { name: 'Maria', role: 'owner' });
    const child = await identity.call('POST', `/v1/accounts/${accountId}/members`, { name: 'Leo', role: 'child' });
    expect([owner.status, child.status]).toEqual([201, 201]);
    const memberId = owner.body.memberId;

    const enrolled = await identity.call('POST', `/v1/accounts/${accountId}/members/${memberId}/voiceprints`, { embedding: maria.voiceprint });
    expect(enrolled).toMatchObject({ status: 201, body: { memberId, dimensions: 192 } });
    const linked = await identity.call('POST', `/v1/accounts/${accountId}/devices`, {
      deviceId: kitchen.deviceId, name: 'Kitchen', publicKey: kitchen.publicKey, location: { room: 'kitchen', floor: '1' },
    });
    expect(linked).toEqual({ status: 201, body: { deviceId: kitchen.deviceId } });
    const mom = await identity.call('POST', `/v1/accounts/${accountId}/contacts`, { name: 'Mom', aliases: ['Mother'], number: '(217) 555-0142', memberId });
    const doctor = await identity.call('POST', `/v1/accounts/${accountId}/contacts`, { name: 'Doctor', number: '+44 20 7946 0018' });
    expect(mom).toMatchObject({ status: 201, body: { e164: '+12175550142' } });
    expect(doctor).toMatchObject({ status: 201, body: { e164: '+442079460018' } });

    const household = await identity.call('GET', `/v1/accounts/${accountId}`);
    expect(household.status).toBe(200);
    expect(household.body).toMatchObject({
      accountId, displayName: 'The Riveras', timezone: 'America/New_York', address: { country: 'US' },
      members: [
        { memberId, name: 'Maria', role: 'owner', voiceprints: 1, grants: ['emergency', 'contacts', 'short_code', 'domestic', 'premium', 'international', 'answer_sensitive'] },
        { name: 'Leo', role: 'child', voiceprints: 0, grants: ['emergency', 'contacts'] },
      ],
      devices: [{ deviceId: kitchen.deviceId, name: 'Kitchen', publicKey: kitchen.publicKey, location: { room: 'kitchen', floor: '1' } }],
      contacts: [
        { name: 'Mom', aliases: ['Mother'], e164: '+12175550142', memberId },
        { name: 'Doctor', aliases: [], e164: '+442079460018', memberId: null },
      ],
    });
    expect(JSON.stringify(household.body)).not.toContain(String(maria.voiceprint[0]));
  });

  it('records each change as an event on the account stream, the voiceprint by its size only', async () => {
    const accountId = await openAccount(identity);
    const { body } = await identity.call('POST', `/v1/accounts/${accountId}/members`, { name: 'Ana', role: 'adult' });
    const print = simulatedSpeaker('ana').voiceprint;
    await identity.call('POST', `/v1/accounts/${accountId}/members/${body.memberId}/voiceprints`, { embedding: print });

    const events: { type: string; data: Record<string, unknown> }[] = await identity.db.query(
      `SELECT type, data FROM es_events WHERE stream_id = $1 ORDER BY stream_version`, [`account-${accountId}`],
    );
    expect(events.map((e) => e.type)).toEqual(['AccountOpened', 'MemberAdded', 'VoiceprintEnrolled']);
    expect(events[2].data).toEqual({ accountId, memberId: body.memberId, voiceprintId: expect.any(String), dimensions: 192 });
    const [stored] = await identity.db.query(`SELECT sealed FROM voiceprints WHERE member_id = $1`, [body.memberId]);
    const plain = Buffer.from(new Float64Array(print).buffer);
    expect(stored.sealed.length).toBeGreaterThan(plain.length);
    expect(stored.sealed.includes(plain.subarray(0, 8))).toBe(false);
  });

  it('changes a member\'s permissions: a role, and grants and revocations on top of it', async () => {
    const accountId = await openAccount(identity);
    await identity.call('POST', `/v1/accounts/${accountId}/members`, { name: 'Maria', role: 'owner' });
    const { body } = await identity.call('POST', `/v1/accounts/${accountId}/members`, { name: 'Sam', role: 'adult' });
    const path = `/v1/accounts/${accountId}/members/${body.memberId}`;

    const changed = await identity.call('PATCH', path, { grant: ['international'], revoke: ['domestic', 'emergency'] });
    expect(changed).toEqual({
      status: 200,
      body: {
        memberId: body.memberId, role: 'adult', overrides: { grant: ['international'], revoke: ['domestic', 'emergency'] },
        grants: ['emergency', 'contacts', 'short_code', 'international'],
      },
    });
    const demoted = await identity.call('PATCH', path, { role: 'guest', grant: [], revoke: [] });
    expect(demoted.body.grants).toEqual(['emergency']);
    const household = await identity.call('GET', `/v1/accounts/${accountId}`);
    expect(household.body.members[1]).toMatchObject({ name: 'Sam', role: 'guest', grants: ['emergency'], overrides: { grant: [], revoke: [] } });
  });

  it('keeps an owner: the last one cannot be demoted', async () => {
    const accountId = await openAccount(identity);
    const { body } = await identity.call('POST', `/v1/accounts/${accountId}/members`, { name: 'Maria', role: 'owner' });
    const demoted = await identity.call('PATCH', `/v1/accounts/${accountId}/members/${body.memberId}`, { role: 'adult' });
    expect(demoted).toMatchObject({ status: 409, body: { code: 'last_owner' } });
  });

  it('moves a device to another household only after it is unlinked', async () => {
    const device = simulatedDevice('hallway-speaker');
    const first = await openAccount(identity);
    const second = await openAccount(identity);
    const link = (accountId: string) =>
      identity.call('POST', `/v1/accounts/${accountId}/devices`, { deviceId: device.deviceId, name: 'Hallway', publicKey: device.publicKey });

    expect((await link(first)).status).toBe(201);
    expect(await link(first)).toMatchObject({ status: 409, body: { code: 'device_already_linked' } });
    expect(await link(second)).toMatchObject({ status: 409, body: { code: 'device_already_linked' } });
    expect((await identity.call('DELETE', `/v1/accounts/${first}/devices/${device.deviceId}`)).status).toBe(204);
    expect((await link(second)).status).toBe(201);

    expect((await identity.call('GET', `/v1/accounts/${first}`)).body.devices).toEqual([]);
    expect((await identity.call('GET', `/v1/accounts/${second}`)).body.devices).toMatchObject([{ deviceId: device.deviceId }]);
    expect(await identity.call('DELETE', `/v1/accounts/${first}/devices/${device.deviceId}`)).toMatchObject({ status: 404, body: { code: 'device_not_found' } });
  });

  it("forgets an unlinked speaker's name and room, keeping only that it was unlinked", async () => {
    const device = simulatedDevice(`teen-room-${randomUUID()}`);
    const accountId = await openAccount(identity);
    const linked = await identity.call('POST', `/v1/accounts/${accountId}/devices`, {
      deviceId: device.deviceId, name: "Leo's speaker", publicKey: device.publicKey, location: { room: "Leo's bedroom", floor: '2' },
    });
    expect(linked.status).toBe(201);
    expect((await identity.call('DELETE', `/v1/accounts/${accountId}/devices/${device.deviceId}`)).status).toBe(204);
    const rows = await identity.db.query(`SELECT name, location, unlinked_at IS NOT NULL AS unlinked FROM devices WHERE device_id = $1`, [device.deviceId]);
    expect(rows).toEqual([{ name: '', location: null, unlinked: true }]);
  });

  it('keeps every change made to a household at the same time', async () => {
    const accountId = await openAccount(identity);
    const names = ['Ana', 'Ben', 'Cy', 'Di', 'Ed', 'Flo', 'Gus', 'Hal'];
    // Half of them with an Idempotency-Key, whose claim is the transaction's first write.
    const added = await Promise.all(names.map((name, i) =>
      identity.call('POST', `/v1/accounts/${accountId}/members`, { name, role: 'adult' }, i % 2 ? { 'idempotency-key': `add-${name}-${accountId}` } : {})));
    expect(added.map((r) => r.status)).toEqual(names.map(() => 201));
    const household = await identity.call('GET', `/v1/accounts/${accountId}`);
    expect(household.body.members.map((m: { name: string }) => m.name).sort()).toEqual(names);
    const versions = await identity.db.query(`SELECT stream_version FROM es_events WHERE stream_id = $1 ORDER BY stream_version`, [`account-${accountId}`]);
    expect(versions.map((v: { stream_version: number }) => v.stream_version)).toEqual([1, ...names.map((_, i) => i + 2)]);
  });

  it('links a device raced by two households to exactly one of them', async () => {
    const device = simulatedDevice('contested-speaker');
    const [first, second] = await Promise.all([openAccount(identity), openAccount(identity)]);
    const results = await Promise.all([first, second].map((accountId) =>
      identity.call('POST', `/v1/accounts/${accountId}/devices`, { deviceId: device.deviceId, name: 'Den', publicKey: device.publicKey })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)?.body.code).toBe('device_already_linked');
  });

  it('replays a request sent again with the same Idempotency-Key and refuses the key for another body', async () => {
    const key = { 'idempotency-key': `open-${randomUUID()}` };
    const body = accountRequest();
    const first = await identity.call('POST', '/v1/accounts', body, key);
    const again = await identity.call('POST', '/v1/accounts', body, key);
    expect(first.status).toBe(201);
    expect(again).toEqual(first);
    const other = await identity.call('POST', '/v1/accounts', { ...body, displayName: 'Someone else' }, key);
    expect(other).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused' } });
  });

  it('lists the Idempotency-Key header in its OpenAPI document (/docs-json) on every route that changes something', async () => {
    type Operation = { parameters?: Array<{ name: string; in: string; required?: boolean }> };
    const { paths } = (await (await fetch(`${identity.baseUrl}/docs-json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    const mutating = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations).filter(([method]) => method !== 'get').map(([method, operation]) => ({ route: `${method} ${path}`, operation })));
    expect(mutating).toHaveLength(16);
    for (const { route, operation } of mutating) {
      const header = (operation.parameters ?? []).find((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key');
      expect({ route, documented: header !== undefined && !header.required }).toEqual({ route, documented: true });
    }
  });

  it("says in its OpenAPI document (/docs-json) which routes take the carrier desk's token instead of the integration's", async () => {
    type Document = { paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>; security: unknown; components: { securitySchemes: Record<string, { scheme: string }> } };
    const document = (await (await fetch(`${identity.baseUrl}/docs-json`)).json()) as Document;
    expect(document.paths['/v1/accounts/{accountId}/closure'].post.security).toEqual([{ recovery: [] }]);
    expect(document.paths['/v1/accounts/{accountId}/approvers/recovery'].post.security).toEqual([{ recovery: [] }]);
    expect(document.paths['/v1/accounts'].post.security).toBeUndefined(); // the document's own: the integration's bearer token
    expect(document.security).toEqual([{ bearer: [] }]);
    expect(document.components.securitySchemes.recovery).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents in its OpenAPI document (/docs-json) the id each create answers with, and the body of a held action', async () => {
    type Schema = { required?: string[] };
    type Operation = { responses: Record<string, { content?: Record<string, { schema: Schema }> }> };
    const { paths } = (await (await fetch(`${identity.baseUrl}/docs-json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    const answered = (path: string, status: number) => paths[path].post.responses[status]?.content?.['application/json']?.schema.required;
    expect(answered('/v1/accounts', 201)).toEqual(['accountId']);
    expect(answered('/v1/accounts/{accountId}/members', 201)).toEqual(['memberId']);
    expect(answered('/v1/accounts/{accountId}/members', 202)?.sort()).toEqual(['approvalId', 'status']);
    expect(answered('/v1/accounts/{accountId}/contacts', 201)).toEqual(['contactId']);
    expect(answered('/v1/accounts/{accountId}/members/{memberId}/voiceprints', 201)?.sort()).toEqual(['dimensions', 'memberId', 'voiceprintId']);
  });

  describe('refusals, as problem details with a stable code', () => {
    it('answers 401 without the bearer token or with a wrong one', async () => {
      const none = await fetch(`${identity.baseUrl}/v1/accounts`, { method: 'POST' });
      expect(none.status).toBe(401);
      expect(response(await none.json())).toMatchObject({ status: 401 });
      const wrong = await identity.call('GET', `/v1/accounts/${await openAccount(identity)}`, undefined, { authorization: 'Bearer not-the-token' });
      expect(wrong.status).toBe(401);
    });

    it('names every invalid field of a request body', async () => {
      const { status, body } = await identity.call('POST', '/v1/accounts', { ...accountRequest(), timezone: 'Mars/Olympus', address: { city: 'x' } });
      expect(status).toBe(400);
      expect(body).toMatchObject({ type: 'urn:homeline:problem:invalid_request', code: 'invalid_request', status: 400 });
      expect(body.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['timezone', 'address.line1', 'address.country']));
    });

    it('refuses an address or a speaker location too long to go with an emergency call to the carrier (its bodies are at most 64 KiB)', async () => {
      const long = 'x'.repeat(70_000);
      const request = accountRequest();
      for (const field of ['line1', 'city', 'region', 'postalCode']) {
        const refused = await identity.call('POST', '/v1/accounts', { ...request, address: { ...request.address, [field]: long } });
        expect(refused).toMatchObject({ status: 400, body: { code: 'invalid_request', issues: [{ path: `address.${field}` }] } });
      }
      const accountId = await openAccount(identity);
      const speaker = simulatedDevice(`long-room-${randomUUID()}`);
      const link = (location: { room: string; floor?: string }) =>
        identity.call('POST', `/v1/accounts/${accountId}/devices`, { deviceId: speaker.deviceId, name: 'Den', publicKey: speaker.publicKey, location });
      expect(await link({ room: long })).toMatchObject({ status: 400, body: { issues: [{ path: 'location.room' }] } });
      expect(await link({ room: 'den', floor: long })).toMatchObject({ status: 400, body: { issues: [{ path: 'location.floor' }] } });
      expect((await link({ room: 'r'.repeat(100), floor: 'f'.repeat(32) })).status).toBe(201);
      const roomy = { line1: 'l'.repeat(200), city: 'c'.repeat(200), region: 'r'.repeat(200), postalCode: 'p'.repeat(32), country: 'US' };
      expect((await identity.call('POST', '/v1/accounts', { ...accountRequest(), address: roomy })).status).toBe(201);
    });

    it('refuses a line or contact number that cannot be a phone number, and a line already registered', async () => {
      expect(await identity.call('POST', '/v1/accounts', accountRequest({ msisdn: '+1 555' }))).toMatchObject({ status: 422, body: { code: 'invalid_number' } });
      const line = nextLine();
      expect((await identity.call('POST', '/v1/accounts', accountRequest({ msisdn: line }))).status).toBe(201);
      expect(await identity.call('POST', '/v1/accounts', accountRequest({ msisdn: line }))).toMatchObject({ status: 409, body: { code: 'msisdn_already_registered' } });
      const accountId = await openAccount(identity);
      const contact = await identity.call('POST', `/v1/accounts/${accountId}/contacts`, { name: 'Nobody', number: '12' });
      expect(contact).toMatchObject({ status: 422, body: { code: 'invalid_number' } });
      // "Possible" for libphonenumber, yet 17 digits: more than E.164 allows (it was a 500).
      const tooLong = '+49 30 1234567890123';
      expect(await identity.call('POST', `/v1/accounts/${accountId}/contacts`, { name: 'Berlin', number: tooLong })).toMatchObject({ status: 422, body: { code: 'invalid_number' } });
      expect(await identity.call('POST', '/v1/accounts', accountRequest({ msisdn: tooLong }))).toMatchObject({ status: 422, body: { code: 'invalid_number' } });
    });

    it('refuses unknown accounts and members', async () => {
      const missing = '00000000-0000-4000-8000-000000000000';
      expect(await identity.call('GET', `/v1/accounts/${missing}`)).toMatchObject({ status: 404, body: { code: 'account_not_found' } });
      expect(await identity.call('GET', '/v1/accounts/not-a-uuid')).toMatchObject({ status: 404, body: { code: 'account_not_found' } });
      const addToMissing = await identity.call('POST', `/v1/accounts/${missing}/members`, { name: 'X', role: 'adult' });
      expect(addToMissing).toMatchObject({ status: 404, body: { code: 'account_not_found' } });
      const accountId = await openAccount(identity);
      const enrol = await identity.call('POST', `/v1/accounts/${accountId}/members/${missing}/voiceprints`, { embedding: simulatedSpeaker('x').voiceprint });
      expect(enrol).toMatchObject({ status: 404, body: { code: 'member_not_found' } });
      const contact = await identity.call('POST', `/v1/accounts/${accountId}/contacts`, { name: 'Mom', number: '+12175550142', memberId: missing });
      expect(contact).toMatchObject({ status: 404, body: { code: 'member_not_found' } });
    });

    it.each(['__proto__', 'constructor', 'prototype'])('answers 404 for a member or device named %s that was never added', async (id) => {
      const accountId = await openAccount(identity);
      await identity.call('POST', `/v1/accounts/${accountId}/members`, { name: 'Maria', role: 'owner' });
      const change = await identity.call('PATCH', `/v1/accounts/${accountId}/members/${id}`, { role: 'adult' });
      expect(change).toMatchObject({ status: 404, body: { code: 'member_not_found' } });
      const unlink = await identity.call('DELETE', `/v1/accounts/${accountId}/devices/${id}`);
      expect(unlink).toMatchObject({ status: 404, body: { code: 'device_not_found' } });
      const { body } = await identity.call('GET', `/v1/accounts/${accountId}`);
      expect(body.devices).toEqual([]);
    });

    it('refuses a public key that is not an Ed25519 key, and an embedding of the wrong size or no sane vector', async () => {
      const accountId = await openAccount(identity);
      const device = await identity.call('POST', `/v1/accounts/${accountId}/devices`, { deviceId: 'd-1', name: 'Den', publicKey: Buffer.alloc(16).toString('base64') });
      expect(device).toMatchObject({ status: 422, body: { code: 'invalid_public_key' } });
      for (const weak of [Buffer.alloc(32), Buffer.from('01' + '00'.repeat(31), 'hex')]) {
        const refused = await identity.call('POST', `/v1/accounts/${accountId}/devices`, { deviceId: 'd-2', name: 'Den', publicKey: weak.toString('base64') });
        expect(refused).toMatchObject({ status: 422, body: { code: 'invalid_public_key' } });
      }
      const { body } = await identity.call('POST', `/v1/accounts/${accountId}/members`, { name: 'Ana', role: 'adult' });
      const short = await identity.call('POST', `/v1/accounts/${accountId}/members/${body.memberId}/voiceprints`, { embedding: [0.1, 0.2] });
      expect(short).toMatchObject({ status: 400, body: { code: 'invalid_request', issues: [{ path: 'embedding' }] } });
      for (const insane of [simulatedSpeaker('x').voiceprint.map(() => 1e308), simulatedSpeaker('x').voiceprint.map(() => 0)]) {
        const refused = await identity.call('POST', `/v1/accounts/${accountId}/members/${body.memberId}/voiceprints`, { embedding: insane });
        expect(refused).toMatchObject({ status: 422, body: { code: 'invalid_voiceprint' } });
      }
    });
  });
});

const response = (body: unknown) => body as Record<string, unknown>;
