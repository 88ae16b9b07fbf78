import type { EventType } from '@homeline/contracts';
import { validateEventData } from '@homeline/contracts';
import { CommandHandler, UnitOfWork, type Clock, type StreamCommands } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import {
  burnsNonce, verificationDecider, type EnrolledVoiceprint, type LinkedDevice, type MemberPermissions, type SpeakerVerificationConfig,
  type VerificationCommand, type VerificationDecision, type VerificationState,
} from '../domain';
import type { AnswerCallVerification, VerificationRequest } from './verification-request';
import { nonceKey, type NonceUse, type VerificationStore } from './verification.store';
import type { VoiceprintCipher } from './voiceprint-cipher';

/** What identity knows about a batch's devices, nonces, voices and members, read once for the whole batch. */
interface Facts {
  readonly devices: ReadonlyMap<string, LinkedDevice>;
  /** Burnt before this batch, or by an earlier round of it. */
  readonly seen: Set<string>;
  readonly enrolled: ReadonlyMap<string, readonly EnrolledVoiceprint[]>;
  /** Every enrolled member's role and overrides, by memberId (who may answer). */
  readonly members: ReadonlyMap<string, MemberPermissions>;
  /** Who holds each contact an answered call comes from, by callerKey (null: the household). */
  readonly callers: ReadonlyMap<string, (string | null)[]>;
}

const callerKey = (accountId: string, number: string): string => JSON.stringify([accountId, number]);

const nonceOf = (r: VerificationRequest): string => nonceKey(r.deviceId, r.assertion.nonce);

/**
 * The n-th request of a batch carrying the same device and nonce goes in round n, so that it is
 * decided knowing whether an earlier one burnt the nonce. A batch without a replay is one round.
 */
const inRounds = (requests: readonly VerificationRequest[]): VerificationRequest[][] => {
  const rounds: VerificationRequest[][] = [];
  const met = new Map<string, number>();
  for (const request of requests) {
    const n = met.get(nonceOf(request)) ?? 0;
    met.set(nonceOf(request), n + 1);
    (rounds[n] ??= []).push(request);
  }
  return rounds;
};

// Published events must match their contract; a mismatch here is a bug, not bad input.
const matchesContract = (event: VerificationDecision): VerificationDecision =>
  ({ ...event, data: validateEventData(event.type as EventType, event.data) }) as VerificationDecision;

/**
 * Verifies voices a batch at a time — calls being placed and answers to inbound calls alike — with
 * a fixed number of statements whatever the batch's size: linked devices, seen nonces and
 * voiceprints (with their members' permissions) are read once, and every decision is written with
 * the nonces it burns in one statement (the batch's unit of work), so a crash leaves neither.
 */
export class SpeakerVerification {
  private readonly verifications = new CommandHandler({
    decider: verificationDecider,
    source: 'identity',
    validate: matchesContract,
    metadataOf: (state: VerificationState) => ({ accountId: state.status === 'decided' ? state.accountId : null }),
  });

  constructor(
    private readonly store: VerificationStore,
    private readonly cipher: VoiceprintCipher,
    private readonly config: SpeakerVerificationConfig,
    private readonly clock: Clock,
  ) {}

  /** The decisions taken now, written in `tx` at once; a request decided before (a redelivery) decides nothing. */
  async verifyAll(tx: EntityManager, requests: readonly VerificationRequest[]): Promise<VerificationDecision[]> {
    const uow = new UnitOfWork(tx);
    const decisions = await this.stageAll(uow, requests);
    await uow.commit();
    return decisions;
  }

  /**
   * Decides the requests and stages the decisions and the nonces they burn in a unit of work (the
   * consumer's batch), whose one statement writes them: a nonce is burnt with its decision or not at all.
   */
  async stageAll(uow: UnitOfWork, requests: readonly VerificationRequest[]): Promise<VerificationDecision[]> {
    if (requests.length === 0) return [];
    const facts = await this.gather(uow.reads, requests);
    const now = this.clock.now();
    const decisions: VerificationDecision[] = [];
    const burnt: NonceUse[] = [];
    for (const round of inRounds(requests)) {
      const outcomes = await this.verifications.stage(uow, round.map((request) => this.commandFor(request, facts, now)));
      outcomes.forEach(({ newEvents }, i) => {
        const request = round[i];
        for (const decision of newEvents) {
          decisions.push(decision);
          if (!burnsNonce(decision) || facts.seen.has(nonceOf(request))) continue;
          facts.seen.add(nonceOf(request));
          burnt.push({ deviceId: request.deviceId, nonce: request.assertion.nonce, callId: request.callId, issuedAt: request.assertion.issuedAt });
        }
      });
    }
    if (burnt.length > 0) uow.also(this.store.burnNonces(burnt));
    return decisions;
  }

  private async gather(tx: EntityManager, requests: readonly VerificationRequest[]): Promise<Facts> {
    const devices = await this.store.linkedDevices(tx, [...new Set(requests.map((r) => r.deviceId))]);
    const linked = requests.filter((r) => devices.has(r.deviceId));
    const seen = linked.length ? await this.store.seenNonces(tx, linked.map((r) => ({ deviceId: r.deviceId, nonce: r.assertion.nonce }))) : new Set<string>();
    const accounts = [...new Set([...devices.values()].map((d) => d.accountId))];
    const prints = accounts.length ? await this.store.sealedVoiceprints(tx, accounts) : [];
    const enrolled = new Map<string, EnrolledVoiceprint[]>();
    const members = new Map<string, MemberPermissions>();
    for (const { accountId, memberId, sealed, role, overrides } of prints) {
      enrolled.set(accountId, [...(enrolled.get(accountId) ?? []), { memberId, embedding: this.cipher.open(accountId, sealed) }]);
      members.set(memberId, { role, overrides });
    }
    return { devices, seen, enrolled, members, callers: await this.callers(tx, linked, devices) };
  }

  /**
   * Whose contacts the callers of the batch's answered calls are, read by the answering device's
   * account: only for the calls routing found to be from someone's contact, so a batch without
   * such an answer costs no statement more.
   */
  private async callers(tx: EntityManager, linked: readonly VerificationRequest[], devices: ReadonlyMap<string, LinkedDevice>) {
    const callers = new Map<string, (string | null)[]>();
    const answers = linked.filter((r): r is AnswerCallVerification => r.purpose === 'answer-call' && r.call.fromContact);
    if (answers.length === 0) return callers;
    const accounts = [...new Set(answers.map((r) => devices.get(r.deviceId)!.accountId))];
    const numbers = [...new Set(answers.map((r) => r.call.from))];
    for (const { accountId, e164, memberId } of await this.store.contactsCalling(tx, accounts, numbers)) {
      const key = callerKey(accountId, e164);
      callers.set(key, [...(callers.get(key) ?? []), memberId]);
    }
    return callers;
  }

  private answerFacts(request: AnswerCallVerification, facts: Facts) {
    const { from, sensitive, emergencyCallback } = request.call;
    const callerIsContactOf = (request.call.fromContact && facts.callers.get(callerKey(request.accountId, from))) || [];
    return { callId: request.callId, answerId: request.answerId, accountId: request.accountId, sensitive, emergencyCallback, callerIsContactOf };
  }

  private commandFor(request: VerificationRequest, facts: Facts, now: Date): StreamCommands<VerificationCommand, VerificationState> {
    const device = facts.devices.get(request.deviceId) ?? null;
    const { callId, deviceId, assertion } = request;
    const known = {
      deviceId, device,
      nonceSeen: facts.seen.has(nonceOf(request)),
      enrolled: device ? (facts.enrolled.get(device.accountId) ?? []) : [],
      now: request.requestedAt,
      decidedAt: now.toISOString(),
      config: this.config,
    };
    // The decision's account comes from its state (metadataOf); the trace is the request's.
    const metadata = { correlationId: callId, causationId: request.causationId, traceparent: request.traceparent, now };
    const command: VerificationCommand = request.purpose === 'place-call'
      ? { type: 'VerifySpeaker', assertion, context: { ...known, callId, purpose: request.purpose, subject: request.subject, risk: request.risk } }
      : { type: 'VerifyAnswer', assertion, context: { ...known, ...this.answerFacts(request, facts), members: facts.members } };
    return { streamId: request.streamId, commands: [command], metadata };
  }
}
