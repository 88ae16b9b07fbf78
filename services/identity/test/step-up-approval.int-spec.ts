import { Topics } from '@homeline/contracts';
import { approverPhone, simulatedDevice, simulatedSpeaker, type SimulatedDevice } from '@homeline/device-sim';
import { eventually, type TestKafka, type TestPostgres } from '@homeline/testing';
import type { Producer } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import { answerRequested } from './support/answer-requested';
import { callRequested } from './support/call-requested';
import { registerHousehold, type Household } from './support/household';
import { useIdentity, startIdentity, type IdentityUnderTest } from './support/identity-app';
import { distinctEvents, type Received, type TopicTap } from './support/topic-tap';

const maria = simulatedSpeaker('maria');
const jon = simulatedSpeaker('jon');
/** The carrier's account-recovery desk's token: not the integration's. */
const recoveryToken = randomBytes(24).toString('hex');

/** docs/architecture.md section 6.2 over HTTP and Kafka: held actions, signed answers, expiry, held devices. */
describe('step-up approval', () => {
  let pg: TestPostgres;
  let kafka: TestKafka;
  let identity: IdentityUnderTest;
  let producer: Producer;
  let published: TopicTap;
  let homes = 0;

  const fixture = useIdentity({ conversation: true, env: { RECOVERY_TOKEN: recoveryToken } });
  beforeAll(() => {
    ({ pg, kafka, identity, producer, published } = fixture);
  });

  /** A household whose owner Maria has registered her phone, with Jon an adult and the kitchen speaker linked before. */
  const guardedHome = async (under: IdentityUnderTest = identity) => {
    const n = ++homes;
    const home = await registerHousehold(under, { maria: { speaker: maria, role: 'owner' }, jon: { speaker: jon, role: 'adult' } }, `kitchen-${n}-${randomUUID()}`);
    const phone = approverPhone(`marias-phone-${n}`);
    const registered = await under.call('POST', `/v1/accounts/${home.accountId}/members/${home.members.maria}/approvers`, { approverId: phone.approverId, publicKey: phone.publicKey });
    expect(registered).toEqual({ status: 201, body: { approverId: phone.approverId, memberId: home.members.maria } });
    return { home, phone, den: simulatedDevice(`den-${n}-${randomUUID()}`) };
  };
  const link = (home: Household, device: SimulatedDevice, under = identity) =>
    under.call('POST', `/v1/accounts/${home.accountId}/devices`, { deviceId: device.deviceId, name: 'Den', publicKey: device.publicKey });
  const answerApproval = (home: Household, approvalId: string, body: unknown, headers?: Record<string, string>, under = identity) =>
    under.call('POST', `/v1/accounts/${home.accountId}/approvals/${approvalId}`, body, headers);
  const approvalOf = (home: Household, approvalId: string, under = identity) => under.call('GET', `/v1/accounts/${home.accountId}/approvals/${approvalId}`);
  const publishedFor = (accountId: string, type: string): Received['value'][] =>
    distinctEvents(published.messages.filter((m) => m.value.type === type && m.value.accountId === accountId)).map((m) => m.value);
  const send = async (envelope: { streamId: string }) =>
    producer.send({ topic: Topics.calls, messages: [{ key: envelope.streamId, value: JSON.stringify(envelope) }] });
  const decisionFor = async (envelope: { streamId: string; id: string }, kind: 'Speaker' | 'Answer') => {
    await send(envelope);
    return eventually(() => {
      const found = distinctEvents(published.messages.filter((m) => m.value.type.startsWith(kind) && m.value.causationId === envelope.id));
      expect(found).toHaveLength(1);
      return found[0].value;
    });
  };
  const placeCall = (device: SimulatedDevice) => callRequested(device.deviceId, 'Mom', device.assert({ subject: 'Mom', embedding: maria.utter() }));

  it('holds a second device: 202 pending, ApprovalRequested for the push service, and no DeviceLinked for anyone', async () => {
    const { home, den } = await guardedHome();
    const held = await link(home, den);
    expect(held).toMatchObject({ status: 202, body: { approvalId: expect.any(String), status: 'pending', expiresAt: expect.any(String) } });
    const { approvalId } = held.body;

    const [request] = await eventually(() => {
      const found = publishedFor(home.accountId, 'ApprovalRequested');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(request).toMatchObject({
      source: 'identity', streamId: `account-${home.accountId}`,
      data: { approvalId, accountId: home.accountId, action: { type: 'link_device', deviceId: den.deviceId, name: 'Den' }, expiresAt: held.body.expiresAt },
    });
    expect(Date.parse(request.data.expiresAt) - Date.parse(request.data.requestedAt)).toBe(600_000);
    expect(await approvalOf(home, approvalId)).toMatchObject({ status: 200, body: { status: 'pending', action: { type: 'link_device', deviceId: den.deviceId } } });
    expect((await identity.call('GET', `/v1/accounts/${home.accountId}`)).body.devices.map((d: { deviceId: string }) => d.deviceId)).toEqual([home.device.deviceId]);
    expect(publishedFor(home.accountId, 'DeviceLinked').map((e) => e.data.deviceId)).toEqual([home.device.deviceId]);
    expect(await link(home, den)).toMatchObject({ status: 409, body: { code: 'awaiting_approval' } });
  });

  it("refuses the held device's calls and answers until an owner approves it on her phone, then verifies them", async () => {
    const { home, phone, den } = await guardedHome();
    const { body: { approvalId } } = await link(home, den);

    const refusedCall = placeCall(den);
    expect(await decisionFor(refusedCall, 'Speaker')).toMatchObject({ type: 'SpeakerRejected', accountId: home.accountId, data: { reason: 'device_pending_approval' } });
    const call = { callId: randomUUID(), accountId: home.accountId };
    const refusedAnswer = answerRequested(call, den.deviceId, den.assert({ purpose: 'answer-call', subject: call.callId, embedding: maria.utter() }));
    expect(await decisionFor(refusedAnswer, 'Answer')).toMatchObject({ type: 'AnswerRefused', data: { reason: 'device_pending_approval' } });

    const approved = await answerApproval(home, approvalId, phone.sign(approvalId, 'approve'));
    expect(approved).toMatchObject({ status: 200, body: { approvalId, status: 'approved', action: { type: 'link_device', deviceId: den.deviceId } } });
    await eventually(() => expect(publishedFor(home.accountId, 'DeviceLinked').map((e) => e.data.deviceId)).toEqual([home.device.deviceId, den.deviceId]));
    expect(publishedFor(home.accountId, 'ApprovalDecided')).toMatchObject([{ data: { approvalId, decision: 'approve', approverId: phone.approverId, memberId: home.members.maria } }]);
    expect(await decisionFor(placeCall(den), 'Speaker')).toMatchObject({ type: 'SpeakerVerified', data: { memberId: home.members.maria, deviceId: den.deviceId } });
    expect(await approvalOf(home, approvalId)).toMatchObject({ body: { status: 'approved' } });
  });

  it('decides a held device\'s request delivered twice once', async () => {
    const { home, den } = await guardedHome();
    await link(home, den);
    const request = placeCall(den);
    await send(request);
    expect(await decisionFor(request, 'Speaker')).toMatchObject({ data: { reason: 'device_pending_approval' } });
    // A later request on the same partition is decided only after both copies were consumed.
    const later = { ...placeCall(den), streamId: request.streamId };
    await decisionFor(later, 'Speaker');
    expect(distinctEvents(published.messages.filter((m) => m.value.causationId === request.id))).toHaveLength(1);
  });

  it('refuses a decision signed by another key, an unknown phone or a stale signature, and the approval stays pending', async () => {
    const { home, phone, den } = await guardedHome();
    const { body: { approvalId } } = await link(home, den);
    const thief = approverPhone(phone.approverId, 'a thief who knows the approver id');
    expect(await answerApproval(home, approvalId, thief.sign(approvalId, 'approve'))).toMatchObject({ status: 403, body: { code: 'invalid_approval_signature' } });
    expect(await answerApproval(home, approvalId, approverPhone('unknown').sign(approvalId, 'approve'))).toMatchObject({ status: 403, body: { code: 'unknown_approver' } });
    const stale = phone.sign(approvalId, 'approve', new Date(Date.now() - 3_600_000).toISOString());
    expect(await answerApproval(home, approvalId, stale)).toMatchObject({ status: 422, body: { code: 'stale_approval_signature' } });
    expect(await answerApproval(home, randomUUID(), phone.sign(approvalId, 'approve'))).toMatchObject({ status: 404, body: { code: 'approval_not_found' } });
    expect(await approvalOf(home, approvalId)).toMatchObject({ body: { status: 'pending' } });
    expect(await decisionFor(placeCall(den), 'Speaker')).toMatchObject({ data: { reason: 'device_pending_approval' } });
  });

  it('leaves a member without a grant the owner denied, and gives one she approved', async () => {
    const { home, phone } = await guardedHome();
    const path = `/v1/accounts/${home.accountId}/members/${home.members.jon}`;
    const held = await identity.call('PATCH', path, { grant: ['international'] });
    expect(held).toMatchObject({ status: 202, body: { status: 'pending' } });
    const denied = await answerApproval(home, held.body.approvalId, phone.sign(held.body.approvalId, 'deny'));
    expect(denied).toMatchObject({ status: 200, body: { status: 'denied', action: { type: 'change_member', grant: ['international'], raises: ['international'] } } });
    const jonNow = async () => (await identity.call('GET', `/v1/accounts/${home.accountId}`)).body.members.find((m: { name: string }) => m.name === 'jon');
    expect((await jonNow()).grants).not.toContain('international');
    expect(await answerApproval(home, held.body.approvalId, phone.sign(held.body.approvalId, 'approve'))).toMatchObject({ status: 409, body: { code: 'approval_already_decided' } });

    const again = await identity.call('PATCH', path, { grant: ['international'] });
    expect((await answerApproval(home, again.body.approvalId, phone.sign(again.body.approvalId, 'approve'))).status).toBe(200);
    expect((await jonNow()).grants).toContain('international');
    await eventually(() => expect(publishedFor(home.accountId, 'MemberPermissionsChanged')).toMatchObject([{ data: { memberId: home.members.jon, grants: expect.arrayContaining(['international']) } }]));
  });

  it('holds a voice enrolled under a member: not recognised as her until an owner approves it, and never if denied', async () => {
    const { home, phone } = await guardedHome();
    const gus = simulatedSpeaker('gus, a guest');
    const callAs = (speaker: typeof gus) =>
      decisionFor(callRequested(home.device.deviceId, 'Mom', home.device.assert({ subject: 'Mom', embedding: speaker.utter() })), 'Speaker');
    const enrol = () => identity.call('POST', `/v1/accounts/${home.accountId}/members/${home.members.maria}/voiceprints`, { embedding: gus.voiceprint });

    const denied = await enrol();
    expect(denied).toMatchObject({ status: 202, body: { status: 'pending' } });
    expect(await callAs(gus)).toMatchObject({ type: 'SpeakerRejected' });
    expect(await answerApproval(home, denied.body.approvalId, phone.sign(denied.body.approvalId, 'deny'))).toMatchObject({ status: 200, body: { status: 'denied' } });
    expect(await callAs(gus)).toMatchObject({ type: 'SpeakerRejected' });

    const approved = await enrol();
    await eventually(() => expect(publishedFor(home.accountId, 'ApprovalRequested').map((e) => e.data.action)).toContainEqual(
      { type: 'enroll_voiceprint', memberId: home.members.maria, voiceprintId: expect.any(String), dimensions: gus.voiceprint.length }));
    expect(await callAs(gus)).toMatchObject({ type: 'SpeakerRejected' });
    expect(await answerApproval(home, approved.body.approvalId, phone.sign(approved.body.approvalId, 'approve'))).toMatchObject({ status: 200, body: { status: 'approved' } });
    expect(await callAs(gus)).toMatchObject({ type: 'SpeakerVerified', data: { memberId: home.members.maria } });
    expect(await callAs(maria)).toMatchObject({ type: 'SpeakerVerified', data: { memberId: home.members.maria } });
  });

  it('holds taking a speaker out: it keeps calling until an owner approves, and stays if she denies', async () => {
    const { home, phone } = await guardedHome();
    const unlink = () => identity.call('DELETE', `/v1/accounts/${home.accountId}/devices/${home.device.deviceId}`);
    const denied = await unlink();
    expect(denied).toMatchObject({ status: 202, body: { status: 'pending' } });
    expect(await approvalOf(home, denied.body.approvalId)).toMatchObject({ body: { action: { type: 'unlink_device', deviceId: home.device.deviceId } } });
    expect(await unlink()).toMatchObject({ status: 409, body: { code: 'awaiting_approval' } });
    expect(await decisionFor(placeCall(home.device), 'Speaker')).toMatchObject({ type: 'SpeakerVerified' });
    expect(await answerApproval(home, denied.body.approvalId, phone.sign(denied.body.approvalId, 'deny'))).toMatchObject({ status: 200, body: { status: 'denied' } });
    expect(await decisionFor(placeCall(home.device), 'Speaker')).toMatchObject({ type: 'SpeakerVerified' });

    const approved = await unlink();
    expect(await answerApproval(home, approved.body.approvalId, phone.sign(approved.body.approvalId, 'approve'))).toMatchObject({ status: 200, body: { status: 'approved' } });
    await eventually(() => expect(publishedFor(home.accountId, 'DeviceUnlinked').map((e) => e.data.deviceId)).toEqual([home.device.deviceId]));
    expect(await decisionFor(placeCall(home.device), 'Speaker')).toMatchObject({ type: 'SpeakerRejected', data: { reason: 'unlinked_device' } });
  });

  it('holds a new owner and another approver phone, and lets only an owner register one, with a sound key', async () => {
    const { home } = await guardedHome();
    expect(await identity.call('POST', `/v1/accounts/${home.accountId}/members`, { name: 'Eve', role: 'owner' })).toMatchObject({ status: 202, body: { status: 'pending' } });
    expect(await identity.call('PATCH', `/v1/accounts/${home.accountId}/members/${home.members.jon}`, { role: 'owner' })).toMatchObject({ status: 202 });
    const second = approverPhone('second-phone');
    const approvers = `/v1/accounts/${home.accountId}/members`;
    expect(await identity.call('POST', `${approvers}/${home.members.maria}/approvers`, { approverId: 'second', publicKey: second.publicKey })).toMatchObject({ status: 202 });
    expect(await identity.call('POST', `${approvers}/${home.members.jon}/approvers`, { approverId: 'jons', publicKey: second.publicKey })).toMatchObject({ status: 422, body: { code: 'member_not_owner' } });
    expect(await identity.call('POST', `${approvers}/${home.members.maria}/approvers`, { approverId: 'weak', publicKey: Buffer.alloc(32).toString('base64') })).toMatchObject({ status: 422, body: { code: 'invalid_public_key' } });
    expect(await identity.call('POST', `/v1/accounts/${home.accountId}/members`, { name: 'Kid', role: 'child' })).toMatchObject({ status: 201 });
    const household = (await identity.call('GET', `/v1/accounts/${home.accountId}`)).body;
    expect(household.members.map((m: { name: string }) => m.name)).toEqual(['maria', 'jon', 'Kid']);
    expect(household.approvers).toHaveLength(1);
  });

  it("takes an approver phone off the household only on another approver's yes, never on its own say", async () => {
    const { home, phone } = await guardedHome();
    expect(await identity.call('DELETE', `/v1/accounts/${home.accountId}/approvers/${phone.approverId}`)).toMatchObject({ status: 409, body: { code: 'last_approver' } });
    // A second owner, Jon, with a phone of his own (approved on Maria's).
    const made = await identity.call('PATCH', `/v1/accounts/${home.accountId}/members/${home.members.jon}`, { role: 'owner' });
    expect(await answerApproval(home, made.body.approvalId, phone.sign(made.body.approvalId, 'approve'))).toMatchObject({ status: 200 });
    const jons = approverPhone(`jons-phone-${randomUUID()}`);
    const second = await identity.call('POST', `/v1/accounts/${home.accountId}/members/${home.members.jon}/approvers`, { approverId: jons.approverId, publicKey: jons.publicKey });
    expect(await answerApproval(home, second.body.approvalId, phone.sign(second.body.approvalId, 'approve'))).toMatchObject({ status: 200 });

    const removal = await identity.call('DELETE', `/v1/accounts/${home.accountId}/approvers/${phone.approverId}`);
    expect(removal).toMatchObject({ status: 202, body: { status: 'pending' } });
    const { approvalId } = removal.body;
    expect(await approvalOf(home, approvalId)).toMatchObject({ body: { action: { type: 'remove_approver', approverId: phone.approverId, memberId: home.members.maria } } });
    expect(await answerApproval(home, approvalId, phone.sign(approvalId, 'deny'))).toMatchObject({ status: 403, body: { code: 'own_removal' } });
    expect(await answerApproval(home, approvalId, jons.sign(approvalId, 'approve'))).toMatchObject({ status: 200, body: { status: 'approved' } });
    const removed = await eventually(() => {
      const [event] = publishedFor(home.accountId, 'ApproverRemoved');
      expect(event).toBeDefined();
      return event;
    });
    expect(removed.data).toEqual({ accountId: home.accountId, approverId: phone.approverId, memberId: home.members.maria, via: 'approval', reason: null });
    expect((await identity.call('GET', `/v1/accounts/${home.accountId}`)).body.approvers.map((a: { approverId: string }) => a.approverId)).toEqual([jons.approverId]);
    // Maria's phone answers nothing any more.
    const { body: held } = await link(home, simulatedDevice(`attic-${randomUUID()}`));
    expect(await answerApproval(home, held.approvalId, phone.sign(held.approvalId, 'approve'))).toMatchObject({ status: 403, body: { code: 'unknown_approver' } });
  });

  it("lets only the carrier's recovery token take every approver off, and expires what waited for them", async () => {
    const { home, phone, den } = await guardedHome();
    const { body: held } = await link(home, den); // asked while the lost phone still held the household
    const recover = (token: string, body: unknown = { reason: 'ID checked in store, ticket 4411' }) =>
      fetch(`${identity.baseUrl}/v1/accounts/${home.accountId}/approvers/recovery`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
    expect((await recover(identity.token)).status).toBe(401); // the integration's token is not enough
    expect((await recover(recoveryToken, { reason: '' })).status).toBe(400);
    const recovered = await recover(recoveryToken);
    expect(recovered.status).toBe(200);
    expect(await recovered.json()).toEqual({ removedApprovers: [phone.approverId], expiredApprovals: [held.approvalId] });
    expect(await approvalOf(home, held.approvalId)).toMatchObject({ body: { status: 'expired' } });
    expect((await recover(recoveryToken)).status).toBe(409); // no_approver: nothing left to recover from
    await eventually(() => expect(publishedFor(home.accountId, 'ApproverRemoved')).toMatchObject([
      { data: { approverId: phone.approverId, via: 'carrier_recovery', reason: 'ID checked in store, ticket 4411' } },
    ]));
    // The household holds nothing for approval now: the owner links a speaker and registers her new phone at once.
    expect(await link(home, simulatedDevice(`den-again-${randomUUID()}`))).toMatchObject({ status: 201 });
    const newPhone = approverPhone(`marias-new-phone-${randomUUID()}`);
    expect(await identity.call('POST', `/v1/accounts/${home.accountId}/members/${home.members.maria}/approvers`, { approverId: newPhone.approverId, publicKey: newPhone.publicKey }))
      .toMatchObject({ status: 201 });
  });

  it('replays a decision sent again with the same Idempotency-Key, and shows unknown approvals as not found', async () => {
    const { home, phone, den } = await guardedHome();
    const { body: { approvalId } } = await link(home, den);
    const key = { 'idempotency-key': `decide-${approvalId}` };
    const body = phone.sign(approvalId, 'deny');
    const first = await answerApproval(home, approvalId, body, key);
    expect(first).toMatchObject({ status: 200, body: { status: 'denied' } });
    expect(await answerApproval(home, approvalId, body, key)).toEqual(first);
    expect(await approvalOf(home, 'not-a-uuid')).toMatchObject({ status: 404, body: { code: 'approval_not_found' } });
    expect(await approvalOf(home, randomUUID())).toMatchObject({ status: 404, body: { code: 'approval_not_found' } });
    const longId = randomBytes(4000).toString('base64url'); // more than an index entry holds, were it stored in a key's scope
    expect(await answerApproval(home, longId, body, { 'idempotency-key': 'long-id' })).toMatchObject({ status: 404, body: { code: 'approval_not_found' } });
    const approvers = `/v1/accounts/${home.accountId}/members/${longId}/approvers`;
    expect(await identity.call('POST', approvers, { approverId: 'p', publicKey: phone.publicKey }, { 'idempotency-key': 'long-id' })).toMatchObject({ status: 404, body: { code: 'member_not_found' } });
    const badBody = await answerApproval(home, approvalId, { ...body, decision: 'maybe', signedAt: 'yesterday' });
    expect(badBody).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
  });

  describe('with approvals that expire after a second', () => {
    let quick: IdentityUnderTest;
    beforeAll(async () => {
      quick = await startIdentity(pg, { KAFKA_BROKERS: kafka.brokers.join(','), APPROVAL_TTL_SECONDS: '1', EXPIRY_SWEEP_INTERVAL_MS: '100' });
    });
    afterAll(async () => {
      await quick?.close();
    });

    it('expires an unanswered approval (ApprovalExpired), after which it cannot be answered and the device stays out', async () => {
      const { home, phone, den } = await guardedHome(quick);
      const { status, body: { approvalId } } = await link(home, den, quick);
      expect(status).toBe(202);
      const [expired] = await eventually(() => {
        const found = publishedFor(home.accountId, 'ApprovalExpired');
        expect(found).toHaveLength(1);
        return found;
      });
      expect(expired).toMatchObject({ data: { approvalId, accountId: home.accountId } });
      expect(await approvalOf(home, approvalId, quick)).toMatchObject({ body: { status: 'expired' } });
      expect(await answerApproval(home, approvalId, phone.sign(approvalId, 'approve'), undefined, quick)).toMatchObject({ status: 409, body: { code: 'approval_expired' } });
      expect((await quick.call('GET', `/v1/accounts/${home.accountId}`)).body.devices).toHaveLength(1);
    });

    it('forgets the voice of an enrolment nobody approved in time', async () => {
      const { home } = await guardedHome(quick);
      const held = await quick.call('POST', `/v1/accounts/${home.accountId}/members/${home.members.jon}/voiceprints`, { embedding: simulatedSpeaker('a stranger').voiceprint });
      expect(held).toMatchObject({ status: 202 });
      const kept = async () => (await quick.db.query(`SELECT count(*)::int AS n FROM held_voiceprints WHERE approval_id = $1`, [held.body.approvalId]))[0].n;
      expect(await kept()).toBe(1);
      // Its ApprovalExpired is published only after the sweep's transaction, which drops the held voice, committed.
      await eventually(() => expect(publishedFor(home.accountId, 'ApprovalExpired').map((e) => e.data.approvalId)).toContain(held.body.approvalId));
      expect(await kept()).toBe(0);
    });
  });
});
