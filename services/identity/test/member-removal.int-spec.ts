import { approverPhone, similarSpeaker, simulatedSpeaker, type SimulatedSpeaker } from '@homeline/device-sim';
import { eventually } from '@homeline/testing';
import type { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { callRequested, speakerDecisionOn } from './support/call-requested';
import { registerHousehold, type Household } from './support/household';
import { useIdentity, type IdentityUnderTest } from './support/identity-app';
import { distinctEvents, type Received, type TopicTap } from './support/topic-tap';

const maria = simulatedSpeaker('maria');
const jon = simulatedSpeaker('jon');
const ana = simulatedSpeaker('ana');
const anasSister = similarSpeaker(ana, 'anas-sister', 0.95);

/** Taking a voice off a member, and a member out of the household: the voice stops matching at once. */
describe('removing a voiceprint or a member over HTTP', () => {
  let identity: IdentityUnderTest;
  let producer: Producer;
  let published: TopicTap;
  let homes = 0;

  const fixture = useIdentity({ conversation: true });
  beforeAll(() => {
    ({ identity, producer, published } = fixture);
  });

  const home = () => registerHousehold(identity, { maria: { speaker: maria, role: 'owner' }, jon: { speaker: jon, role: 'adult' } }, `kitchen-${++homes}-${randomUUID()}`);
  const publishedFor = (accountId: string, type: string): Received['value'][] =>
    distinctEvents(published.messages.filter((m) => m.value.type === type && m.value.accountId === accountId)).map((m) => m.value);
  /** The speaker decision for a call placed on the household's speaker by this voice. */
  const callAs = (household: Household, speaker: SimulatedSpeaker) =>
    speakerDecisionOn(producer, published, callRequested(household.device.deviceId, 'Mom', household.device.assert({ subject: 'Mom', embedding: speaker.utter() })));
  const membersOf = async (accountId: string) => (await identity.call('GET', `/v1/accounts/${accountId}`)).body.members;
  const voiceprintIdsOf = async (accountId: string, memberId: string): Promise<string[]> =>
    (await membersOf(accountId)).find((m: { memberId: string }) => m.memberId === memberId).voiceprintIds;

  it('takes a voice off its member: 204, and that voice is no longer recognised as them', async () => {
    const household = await home();
    const { accountId, members } = household;
    expect(await callAs(household, jon)).toMatchObject({ type: 'SpeakerVerified', data: { memberId: members.jon } });
    const [voiceprintId] = await voiceprintIdsOf(accountId, members.jon);
    expect(voiceprintId).toEqual(expect.any(String));

    expect(await identity.call('DELETE', `/v1/accounts/${accountId}/members/${members.jon}/voiceprints/${voiceprintId}`)).toEqual({ status: 204, body: undefined });

    expect(await callAs(household, jon)).toMatchObject({ type: 'SpeakerRejected', data: { reason: 'speaker_not_verified' } });
    expect(await callAs(household, maria)).toMatchObject({ type: 'SpeakerVerified', data: { memberId: members.maria } });
    expect((await membersOf(accountId)).find((m: { memberId: string }) => m.memberId === members.jon)).toMatchObject({ voiceprints: 0, voiceprintIds: [] });
    await eventually(() => expect(publishedFor(accountId, 'VoiceprintRemoved').map((e) => e.data)).toEqual([{ accountId, memberId: members.jon, voiceprintId }]));
    expect(await identity.call('DELETE', `/v1/accounts/${accountId}/members/${members.jon}/voiceprints/${voiceprintId}`))
      .toMatchObject({ status: 404, body: { code: 'voiceprint_not_found' } });
  });

  it('takes off a voice enrolled before events named voiceprints, by the id the household lists, held too', async () => {
    const household = await home();
    const { accountId, members } = household;
    // Enrolled before VoiceprintEnrolled carried voiceprintId: the event names no print.
    await identity.db.query(`UPDATE es_events SET data = data - 'voiceprintId' WHERE stream_id = $1 AND type = 'VoiceprintEnrolled'`, [`account-${accountId}`]);
    const [jons] = await voiceprintIdsOf(accountId, members.jon);
    const [marias] = await voiceprintIdsOf(accountId, members.maria);
    const removal = (memberId: string, voiceprintId: string) => identity.call('DELETE', `/v1/accounts/${accountId}/members/${memberId}/voiceprints/${voiceprintId}`);

    for (const [memberId, voiceprintId] of [[members.jon, randomUUID()], [members.jon, marias], [members.jon, 'vp-old']]) {
      expect(await removal(memberId, voiceprintId)).toMatchObject({ status: 404, body: { code: 'voiceprint_not_found' } });
    }
    expect(await removal(members.jon, jons)).toEqual({ status: 204, body: undefined });
    expect(await callAs(household, jon)).toMatchObject({ type: 'SpeakerRejected', data: { reason: 'speaker_not_verified' } });
    expect(await removal(members.jon, jons)).toMatchObject({ status: 404, body: { code: 'voiceprint_not_found' } });
    await eventually(() => expect(publishedFor(accountId, 'VoiceprintRemoved').map((e) => e.data)).toEqual([{ accountId, memberId: members.jon, voiceprintId: jons }]));

    // The owner's: held once the household has an approver, and only for a print that is theirs.
    const phone = approverPhone(`marias-phone-${randomUUID()}`);
    expect((await identity.call('POST', `/v1/accounts/${accountId}/members/${members.maria}/approvers`, { approverId: phone.approverId, publicKey: phone.publicKey })).status).toBe(201);
    expect(await removal(members.maria, randomUUID())).toMatchObject({ status: 404, body: { code: 'voiceprint_not_found' } });
    const held = await removal(members.maria, marias);
    expect(held).toMatchObject({ status: 202, body: { status: 'pending' } });
    expect(await identity.call('POST', `/v1/accounts/${accountId}/approvals/${held.body.approvalId}`, phone.sign(held.body.approvalId, 'approve')))
      .toMatchObject({ status: 200, body: { status: 'approved' } });
    expect(await callAs(household, maria)).toMatchObject({ type: 'SpeakerRejected', data: { reason: 'speaker_not_verified' } });
    expect(await membersOf(accountId)).toEqual([expect.objectContaining({ voiceprints: 0, voiceprintIds: [] }), expect.objectContaining({ voiceprints: 0, voiceprintIds: [] })]);
  });

  it('answers with the id a new voiceprint is removed by', async () => {
    const { accountId, members } = await home();
    const enrolled = await identity.call('POST', `/v1/accounts/${accountId}/members/${members.maria}/voiceprints`, { embedding: maria.utter() });
    expect(enrolled).toMatchObject({ status: 201, body: { voiceprintId: expect.any(String) } });
    expect(await voiceprintIdsOf(accountId, members.maria)).toContain(enrolled.body.voiceprintId);
    await eventually(() => expect(publishedFor(accountId, 'VoiceprintEnrolled').map((e) => e.data.voiceprintId)).toContain(enrolled.body.voiceprintId));
  });

  it('takes a member out with their voiceprints and their own contacts; the household keeps its own', async () => {
    const household = await home();
    const { accountId, members } = household;
    const own = await identity.call('POST', `/v1/accounts/${accountId}/contacts`, { name: 'Coach', number: '+1 555 010 0042', memberId: members.jon });
    const shared = await identity.call('POST', `/v1/accounts/${accountId}/contacts`, { name: 'Doctor', number: '+1 555 010 0043' });
    expect([own.status, shared.status]).toEqual([201, 201]);

    expect(await identity.call('DELETE', `/v1/accounts/${accountId}/members/${members.jon}`)).toEqual({ status: 204, body: undefined });

    const after = (await identity.call('GET', `/v1/accounts/${accountId}`)).body;
    expect(after.members.map((m: { memberId: string }) => m.memberId)).toEqual([members.maria]);
    expect(after.contacts.map((c: { name: string }) => c.name)).toEqual(['Doctor']);
    expect(await callAs(household, jon)).toMatchObject({ type: 'SpeakerRejected', data: { reason: 'speaker_not_verified' } });
    await eventually(() => expect(publishedFor(accountId, 'MemberRemoved').map((e) => e.data)).toEqual([{ accountId, memberId: members.jon }]));
    expect(await identity.call('DELETE', `/v1/accounts/${accountId}/members/${members.jon}`)).toMatchObject({ status: 404, body: { code: 'member_not_found' } });
    expect(await identity.call('POST', `/v1/accounts/${accountId}/members/${members.jon}/voiceprints`, { embedding: jon.voiceprint }))
      .toMatchObject({ status: 404, body: { code: 'member_not_found' } });
  });

  it('refuses to remove the last owner, an owner whose phone approves, and what is not there', async () => {
    const { accountId, members } = await home();
    expect(await identity.call('DELETE', `/v1/accounts/${accountId}/members/${members.maria}`)).toMatchObject({ status: 409, body: { code: 'last_owner' } });
    for (const memberId of ['__proto__', 'constructor', randomUUID()]) {
      expect(await identity.call('DELETE', `/v1/accounts/${accountId}/members/${memberId}`)).toMatchObject({ status: 404, body: { code: 'member_not_found' } });
    }
    expect(await identity.call('DELETE', `/v1/accounts/${accountId}/members/${members.jon}/voiceprints/__proto__`))
      .toMatchObject({ status: 404, body: { code: 'voiceprint_not_found' } });
    expect(await identity.call('DELETE', `/v1/accounts/${randomUUID()}/members/${members.jon}`)).toMatchObject({ status: 404, body: { code: 'account_not_found' } });

    const second = await identity.call('POST', `/v1/accounts/${accountId}/members`, { name: 'Oscar', role: 'owner' });
    const phone = approverPhone(`marias-phone-${randomUUID()}`);
    expect((await identity.call('POST', `/v1/accounts/${accountId}/members/${members.maria}/approvers`, { approverId: phone.approverId, publicKey: phone.publicKey })).status).toBe(201);
    expect(await identity.call('DELETE', `/v1/accounts/${accountId}/members/${members.maria}`)).toMatchObject({ status: 409, body: { code: 'member_is_approver' } });
    expect(second.status).toBe(201);
  });

  it('holds a removal for the approver once the household has one: two voices too alike are told apart once one goes', async () => {
    const household = await registerHousehold(identity, { ana: { speaker: ana, role: 'owner' }, sister: { speaker: anasSister, role: 'child' } }, `den-${randomUUID()}`);
    const { accountId, members } = household;
    const phone = approverPhone(`anas-phone-${randomUUID()}`);
    expect((await identity.call('POST', `/v1/accounts/${accountId}/members/${members.ana}/approvers`, { approverId: phone.approverId, publicKey: phone.publicKey })).status).toBe(201);
    expect(await callAs(household, anasSister)).toMatchObject({ type: 'SpeakerRejected', data: { reason: 'ambiguous_speaker' } });

    const [print] = await voiceprintIdsOf(accountId, members.sister);
    const held = await identity.call('DELETE', `/v1/accounts/${accountId}/members/${members.sister}/voiceprints/${print}`);
    expect(held).toMatchObject({ status: 202, body: { approvalId: expect.any(String), status: 'pending' } });
    await eventually(() => expect(publishedFor(accountId, 'ApprovalRequested').map((e) => e.data.action)).toContainEqual(
      { type: 'remove_voiceprint', memberId: members.sister, voiceprintId: print }));
    // Still enrolled while it waits: the sister's voice, close to Ana's, is still told apart from hers.
    expect(await callAs(household, anasSister)).toMatchObject({ type: 'SpeakerRejected', data: { reason: 'ambiguous_speaker' } });

    const memberHeld = await identity.call('DELETE', `/v1/accounts/${accountId}/members/${members.sister}`);
    expect(memberHeld).toMatchObject({ status: 202, body: { status: 'pending' } });
    await eventually(() => expect(publishedFor(accountId, 'ApprovalRequested').map((e) => e.data.action)).toContainEqual(
      { type: 'remove_member', memberId: members.sister, name: 'sister' }));

    const approved = await identity.call('POST', `/v1/accounts/${accountId}/approvals/${memberHeld.body.approvalId}`, phone.sign(memberHeld.body.approvalId, 'approve'));
    expect(approved).toMatchObject({ status: 200, body: { status: 'approved' } });
    // The removal of her print waited on her behalf: it expired with her.
    expect(await identity.call('GET', `/v1/accounts/${accountId}/approvals/${held.body.approvalId}`)).toMatchObject({ status: 200, body: { status: 'expired' } });
    expect((await membersOf(accountId)).map((m: { memberId: string }) => m.memberId)).toEqual([members.ana]);
    expect(await callAs(household, ana)).toMatchObject({ type: 'SpeakerVerified', data: { memberId: members.ana } });
  });
});
