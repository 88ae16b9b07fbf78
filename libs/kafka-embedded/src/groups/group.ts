import { randomUUID } from 'node:crypto';
import { ErrorCode, ErrorCodeValue } from '../protocol/errors';
import { JoinRequest, JoinResult, Member, SyncResult } from './member';
import { PendingMembers } from './pending-members';
import { failedJoin, failJoin, sameProtocols, selectProtocol } from './protocols';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

/** Kafka's group.* broker settings that shape a group's timing. */
export interface GroupSettings {
  /** group.initial.rebalance.delay.ms */
  readonly initialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms / group.max.session.timeout.ms: joins outside get INVALID_SESSION_TIMEOUT */
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
}

export interface GroupEvents {
  rebalanceStarted(group: string, reason: string): void;
  rebalanceCompleted(group: string, generation: number, members: number): void;
  memberRemoved(group: string, memberId: string, reason: string): void;
}

/**
 * One consumer group, following Kafka's coordinator state machine:
 * Empty → PreparingRebalance → CompletingRebalance → Stable, and back to
 * PreparingRebalance whenever a member joins, leaves or misses its session timeout.
 */
export class Group {
  state: GroupState = 'Empty';
  generation = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  private joinTimer: NodeJS.Timeout | null = null;
  private initialDelayDeadline: number | null = null;
  private readonly pending = new PendingMembers();

  constructor(
    readonly id: string,
    private readonly settings: GroupSettings,
    private readonly events: GroupEvents,
  ) {}

  /** `requireMemberId`: JoinGroup v4+, where a newcomer is first sent its id with MEMBER_ID_REQUIRED. */
  join(req: JoinRequest, requireMemberId = false): Promise<JoinResult> {
    const { minSessionTimeoutMs, maxSessionTimeoutMs } = this.settings;
    if (req.sessionTimeoutMs < minSessionTimeoutMs || req.sessionTimeoutMs > maxSessionTimeoutMs) return failJoin(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId);
    if (!this.acceptsProtocols(req)) return failJoin(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId);
    if (req.memberId === '') {
      const memberId = `${req.clientId || 'member'}-${randomUUID()}`;
      if (!requireMemberId) return this.joinNewMember(req, memberId);
      this.pending.add(memberId, req.sessionTimeoutMs);
      return failJoin(ErrorCode.MEMBER_ID_REQUIRED, memberId);
    }
    if (this.pending.claim(req.memberId)) return this.joinNewMember(req, req.memberId);
    const member = this.members.get(req.memberId);
    if (!member) return failJoin(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    const changed = !sameProtocols(member.protocols, req.protocols);
    member.update(req);
    if (this.state === 'PreparingRebalance') return this.awaitJoin(member);
    if (this.state === 'CompletingRebalance' && !changed) return Promise.resolve(this.joinResult(member));
    if (this.state === 'Stable' && !changed && member.memberId !== this.leaderId) {
      return Promise.resolve(this.joinResult(member));
    }
    const pending = this.awaitJoin(member);
    this.prepareRebalance(`member ${member.memberId} rejoined`);
    return pending;
  }

  sync(memberId: string, generation: number, assignments: ReadonlyMap<string, Buffer>): Promise<SyncResult> {
    const member = this.members.get(memberId);
    if (!member) return Promise.resolve({ error: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    if (generation !== this.generation) return Promise.resolve({ error: ErrorCode.ILLEGAL_GENERATION, assignment: EMPTY });
    if (this.state === 'PreparingRebalance' || this.state === 'Empty') {
      return Promise.resolve({ error: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    }
    this.touch(member);
    if (this.state === 'Stable') return Promise.resolve({ error: ErrorCode.NONE, assignment: member.assignment });
    const pending = new Promise<SyncResult>((resolve) => member.awaitSync(resolve));
    if (memberId === this.leaderId) {
      for (const m of this.members.values()) m.assignment = assignments.get(m.memberId) ?? EMPTY;
      this.state = 'Stable';
      for (const m of this.members.values()) m.completeSync({ error: ErrorCode.NONE, assignment: m.assignment });
    }
    return pending;
  }

  heartbeat(memberId: string, generation: number): ErrorCodeValue {
    const member = this.members.get(memberId);
    if (!member || this.state === 'Empty') return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generation !== this.generation) return ErrorCode.ILLEGAL_GENERATION;
    this.touch(member);
    return this.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  leave(memberId: string): ErrorCodeValue {
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.remove(member, 'left the group');
    return ErrorCode.NONE;
  }

  /** Whether a commit from this member/generation is accepted (Kafka's rules). */
  checkCommit(memberId: string, generation: number): ErrorCodeValue {
    if (generation < 0 && this.state === 'Empty') return ErrorCode.NONE;
    if (this.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generation !== this.generation) return ErrorCode.ILLEGAL_GENERATION;
    this.touch(member);
    return ErrorCode.NONE;
  }

  shutdown(): void {
    if (this.joinTimer) clearTimeout(this.joinTimer);
    this.pending.clear();
    for (const m of this.members.values()) m.dispose();
  }

  private joinNewMember(req: JoinRequest, memberId: string): Promise<JoinResult> {
    const member = new Member(memberId, req);
    this.members.set(member.memberId, member);
    const pending = this.awaitJoin(member);
    if (this.state !== 'PreparingRebalance') this.prepareRebalance(`member ${member.memberId} joined`);
    else if (this.initialDelayDeadline !== null) this.extendInitialDelay();
    return pending;
  }

  private awaitJoin(member: Member): Promise<JoinResult> {
    const pending = new Promise<JoinResult>((resolve) => member.awaitJoin(resolve));
    if (this.state === 'PreparingRebalance') this.tryCompleteJoin();
    return pending;
  }

  private prepareRebalance(reason: string): void {
    this.events.rebalanceStarted(this.id, reason);
    if (this.state === 'CompletingRebalance') {
      for (const m of this.members.values()) m.completeSync({ error: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    }
    const initial = this.state === 'Empty';
    this.state = 'PreparingRebalance';
    if (this.joinTimer) clearTimeout(this.joinTimer);
    if (initial && this.settings.initialRebalanceDelayMs > 0) {
      this.initialDelayDeadline = Date.now() + this.maxRebalanceTimeout();
      this.joinTimer = setTimeout(() => this.completeJoin(), this.settings.initialRebalanceDelayMs);
      return;
    }
    this.initialDelayDeadline = null;
    this.joinTimer = setTimeout(() => this.completeJoin(), this.maxRebalanceTimeout());
    this.tryCompleteJoin();
  }

  /** Like Kafka's initial delayed join: each newcomer extends the wait, within the rebalance timeout. */
  private extendInitialDelay(): void {
    if (this.joinTimer) clearTimeout(this.joinTimer);
    const left = Math.max(0, (this.initialDelayDeadline ?? 0) - Date.now());
    this.joinTimer = setTimeout(() => this.completeJoin(), Math.min(this.settings.initialRebalanceDelayMs, left));
  }

  private tryCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance' || this.initialDelayDeadline !== null) return;
    for (const m of this.members.values()) if (!m.isAwaitingJoin) return;
    this.completeJoin();
  }

  private completeJoin(): void {
    if (this.state !== 'PreparingRebalance') return;
    if (this.joinTimer) clearTimeout(this.joinTimer);
    this.joinTimer = null;
    this.initialDelayDeadline = null;
    for (const m of [...this.members.values()]) if (!m.isAwaitingJoin) this.drop(m, 'did not rejoin within the rebalance timeout');
    this.generation++;
    if (this.members.size === 0) {
      this.state = 'Empty';
      // Like Kafka, an emptied group keeps its protocol type (ListGroups still reports it).
      this.protocolName = this.leaderId = null;
      return;
    }
    this.protocolName = selectProtocol([...this.members.values()]);
    if (!this.leaderId || !this.members.has(this.leaderId)) this.leaderId = this.members.keys().next().value ?? null;
    this.state = 'CompletingRebalance';
    this.events.rebalanceCompleted(this.id, this.generation, this.members.size);
    for (const m of this.members.values()) {
      m.completeJoin(this.joinResult(m));
      this.touch(m);
    }
  }

  private joinResult(member: Member): JoinResult {
    const isLeader = member.memberId === this.leaderId;
    return {
      error: ErrorCode.NONE,
      generation: this.generation,
      protocolName: this.protocolName ?? '',
      leaderId: this.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...this.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: m.metadataFor(this.protocolName ?? ''),
          }))
        : [],
    };
  }

  private touch(member: Member): void {
    member.resetSession(() => this.remove(member, `session timeout (${member.sessionTimeoutMs} ms) expired`));
  }

  private remove(member: Member, reason: string): void {
    this.drop(member, reason);
    if (this.state === 'Stable' || this.state === 'CompletingRebalance') this.prepareRebalance(reason);
    else if (this.state === 'PreparingRebalance') this.tryCompleteJoin();
  }

  private drop(member: Member, reason: string): void {
    member.completeJoin({ ...failedJoin(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId) });
    member.completeSync({ error: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    member.dispose();
    this.members.delete(member.memberId);
    this.events.memberRemoved(this.id, member.memberId, reason);
  }

  private maxRebalanceTimeout(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** A joiner must share the protocol type and at least one protocol with every other member. */
  private acceptsProtocols({ memberId, protocolType, protocols }: JoinRequest): boolean {
    if (protocols.length === 0) return false;
    const others = [...this.members.values()].filter((m) => m.memberId !== memberId);
    if (others.length === 0) {
      this.protocolType = protocolType;
      return true;
    }
    if (protocolType !== this.protocolType) return false;
    return protocols.some((p) => others.every((m) => m.supports(p.name)));
  }
}

const EMPTY = Buffer.alloc(0);
