import { forgedAssertion, replayOf, simulatedSpeaker } from '@homeline/device-sim';
import { isStreamVersionConflict, runInTransaction } from '@homeline/event-store';
import { eventually, lockWaiters } from '@homeline/testing';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { SpeakerVerification } from '../src/application/speaker-verification';
import { answerCallVerification, placeCallVerification, type VerificationRequest } from '../src/application/verification-request';
import { answerRequested } from './support/answer-requested';
import { callRequested } from './support/call-requested';
import { registerHousehold, type Household } from './support/household';
import { useIdentity, type IdentityUnderTest } from './support/identity-app';

const maria = simulatedSpeaker('maria');
const jon = simulatedSpeaker('jon');
const stranger = simulatedSpeaker('stranger');


describe('speaker verification, a batch at a time', () => {
  let identity: IdentityUnderTest;
  let verification: SpeakerVerification;
  let home: Household;
  let other: Household;

  const fixture = useIdentity();
  beforeAll(async () => {
    ({ identity } = fixture);
    verification = identity.app.get(SpeakerVerification);
    home = await registerHousehold(identity, { maria: { speaker: maria, role: 'owner' } }, 'batch-kitchen');
    other = await registerHousehold(identity, { jon: { speaker: jon, role: 'owner' } }, 'batch-den');
  });

  const request = (household: Household, voice = household.device.assert({ subject: 'Mom', embedding: maria.utter() })): VerificationRequest =>
    placeCallVerification(callRequested(household.device.deviceId, 'Mom', voice), null);
  /** The household's own device answering an inbound call of its account, with maria's voice. */
  const answer = (household: Household, callId = randomUUID(), voice = household.device.assert({ purpose: 'answer-call', subject: callId, embedding: maria.utter() })) =>
    answerCallVerification(answerRequested({ callId, accountId: household.accountId }, household.device.deviceId, voice), null);
  const decisionsIn = async (streamId: string): Promise<string[]> =>
    (await identity.db.query(`SELECT type, data FROM es_events WHERE stream_id = $1 ORDER BY stream_version`, [streamId]))
      .map((e: { type: string; data: { reason?: string } }) => e.data.reason ?? e.type);
  const decisionsOf = (callId: string): Promise<string[]> => decisionsIn(`verification-${callId}`);

  /** Statements the batch sent to PostgreSQL, counted on its connection (they run as they would). */
  const statementsFor = (requests: readonly VerificationRequest[]) =>
    identity.db.transaction(async (tx: EntityManager) => {
      const connection = await tx.queryRunner!.connect();
      const counted = jest.spyOn(connection, 'query');
      const decisions = await verification.verifyAll(tx, requests);
      const statements = counted.mock.calls.length;
      counted.mockRestore();
      return { decisions, statements };
    });

  it('decides every request of a batch with as many statements for twenty requests as for two', async () => {
    const small = await statementsFor([request(home), request(other)]);
    // Alternately from each household, spoken by maria, jon and a stranger in turn: each is verified only at home.
    const speakers = [maria, jon, stranger];
    const batch = Array.from({ length: 20 }, (_, i) => {
      const household = i % 2 ? other : home;
      return request(household, household.device.assert({ subject: 'Mom', embedding: speakers[i % 3].utter() }));
    });
    const large = await statementsFor(batch);
    const expected = batch.map((_, i) => (i % 2 === 0 && i % 3 === 0 ? home.members.maria : i % 2 === 1 && i % 3 === 1 ? other.members.jon : 'rejected'));
    expect(large.decisions.map((d) => (d.type === 'SpeakerVerified' ? d.data.memberId : 'rejected'))).toEqual(expected);
    expect(large.decisions.map((d) => d.data.callId)).toEqual(batch.map((r) => r.callId));
    expect(large.statements).toBe(small.statements);
  });

  it('lets the first of a batch\'s requests with one nonce win, even after a forged copy, and refuses the replay', async () => {
    const voice = home.device.assert({ subject: 'Mom', embedding: maria.utter() });
    const forged = { ...forgedAssertion(home.device.deviceId, { subject: 'Mom', embedding: maria.utter() }), nonce: voice.nonce };
    const batch = [request(home, forged), request(home, voice), request(home, replayOf(voice))];
    const decisions = await identity.db.transaction((tx) => verification.verifyAll(tx, batch));
    expect(decisions.map((d) => d.data.callId)).toEqual(expect.arrayContaining(batch.map((r) => r.callId)));
    expect(await Promise.all(batch.map((r) => decisionsOf(r.callId)))).toEqual([['invalid_signature'], ['SpeakerVerified'], ['replayed_assertion']]);
  });

  /**
   * Holds one transaction open after it decided, starts a second that must wait on it, then commits
   * the first: the second fails on a key, is retried on a fresh read (as the inbox consumer retries
   * a batch), and sees what the first did.
   */
  const race = async (first: VerificationRequest, second: VerificationRequest) => {
    const held = identity.db.createQueryRunner();
    await held.startTransaction();
    const firstDecisions = await verification.verifyAll(held.manager, [first]);
    const retriedOn: unknown[] = [];
    const racing = runInTransaction(identity.db, (tx) => verification.verifyAll(tx, [second]), { onRetry: (error) => retriedOn.push(error) });
    await eventually(async () => expect(await lockWaiters(identity.db)).toBeGreaterThan(0));
    await held.commitTransaction();
    await held.release();
    return { firstDecisions, secondDecisions: await racing, retriedOn };
  };

  it('lets one of two deliveries racing with one nonce win: the other, retried, finds the assertion replayed', async () => {
    const voice = home.device.assert({ subject: 'Mom', embedding: maria.utter() });
    const [first, second] = [request(home, voice), request(home, replayOf(voice))];
    const { firstDecisions, secondDecisions, retriedOn } = await race(first, second);
    expect(firstDecisions).toMatchObject([{ type: 'SpeakerVerified' }]);
    expect(secondDecisions).toMatchObject([{ type: 'SpeakerRejected', data: { reason: 'replayed_assertion' } }]);
    expect(retriedOn).toMatchObject([{ code: '23505', constraint: 'assertion_nonces_pkey' }]);
    expect([await decisionsOf(first.callId), await decisionsOf(second.callId)]).toEqual([['SpeakerVerified'], ['replayed_assertion']]);
  });

  it('decides a call once when two requests for it race', async () => {
    const first = request(home);
    const second = { ...first, causationId: 'another-event-for-the-same-call' };
    const { firstDecisions, secondDecisions, retriedOn } = await race(first, second);
    expect(firstDecisions).toMatchObject([{ type: 'SpeakerVerified' }]);
    expect(secondDecisions).toEqual([]);
    expect(retriedOn.map(isStreamVersionConflict)).toEqual([true]);
    expect(await decisionsOf(first.callId)).toEqual(['SpeakerVerified']);
    const nonces = await identity.db.query(`SELECT call_id FROM assertion_nonces WHERE nonce = $1`, [first.assertion.nonce]);
    expect(nonces).toEqual([{ call_id: first.callId }]);
  });

  it('decides answers and placed calls in one batch with as many statements as placed calls alone', async () => {
    const placedOnly = await statementsFor([request(home), request(other)]);
    const mixed = Array.from({ length: 20 }, (_, i) => (i % 2 ? answer(home) : request(home)));
    const { decisions, statements } = await statementsFor(mixed);
    expect(decisions.map((d) => d.type)).toEqual(mixed.map((_, i) => (i % 2 ? 'AnswerAuthorized' : 'SpeakerVerified')));
    expect(statements).toBe(placedOnly.statements);
  });

  it('reads whose contacts the callers are with one statement more, however many answers to contacts the batch holds', async () => {
    const placedOnly = await statementsFor([request(home), request(other)]);
    const fromContact = (callId = randomUUID()) => answerCallVerification(
      answerRequested({ callId, accountId: home.accountId, fromContact: true }, home.device.deviceId,
        home.device.assert({ purpose: 'answer-call', subject: callId, embedding: maria.utter() })),
      null,
    );
    const mixed = Array.from({ length: 20 }, (_, i) => (i % 2 ? fromContact() : request(home)));
    const { decisions, statements } = await statementsFor(mixed);
    expect(decisions.map((d) => d.type)).toEqual(mixed.map((_, i) => (i % 2 ? 'AnswerAuthorized' : 'SpeakerVerified')));
    expect(statements).toBe(placedOnly.statements + 1);
  });

  it('refuses, in the same batch, an answer that reuses the nonce of a call being placed', async () => {
    const placing = request(home);
    const callId = randomUUID();
    const reused = home.device.assert({ purpose: 'answer-call', subject: callId, embedding: maria.utter(), nonce: placing.assertion.nonce });
    const answering = answer(home, callId, reused);
    await identity.db.transaction((tx) => verification.verifyAll(tx, [placing, answering]));
    expect([await decisionsOf(placing.callId), await decisionsIn(answering.streamId)]).toEqual([['SpeakerVerified'], ['replayed_assertion']]);
  });

  it('lets one of two answers racing with one assertion win: the other, retried, finds it replayed', async () => {
    const first = answer(home);
    const second = answerCallVerification(answerRequested({ callId: first.callId, accountId: home.accountId }, home.device.deviceId, replayOf(first.assertion)), null);
    const { firstDecisions, secondDecisions, retriedOn } = await race(first, second);
    expect(firstDecisions).toMatchObject([{ type: 'AnswerAuthorized' }]);
    expect(secondDecisions).toMatchObject([{ type: 'AnswerRefused', data: { reason: 'replayed_assertion' } }]);
    expect(retriedOn).toMatchObject([{ code: '23505', constraint: 'assertion_nonces_pkey' }]);
    expect([await decisionsIn(first.streamId), await decisionsIn(second.streamId)]).toEqual([['AnswerAuthorized'], ['replayed_assertion']]);
  });
});
