import { ErrorCode, ErrorCodeValue } from '../protocol/errors';

export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinRequest {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly GroupProtocol[];
}

export interface JoinResult {
  readonly error: ErrorCodeValue;
  readonly generation: number;
  readonly protocolName: string;
  readonly leaderId: string;
  readonly memberId: string;
  readonly members: readonly { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  readonly error: ErrorCodeValue;
  readonly assignment: Buffer;
}

/** A group member and the requests it has parked at the coordinator. */
export class Member {
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: readonly GroupProtocol[];
  assignment: Buffer = Buffer.alloc(0);
  private joinWaiter: ((r: JoinResult) => void) | null = null;
  private syncWaiter: ((r: SyncResult) => void) | null = null;
  private sessionTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly memberId: string,
    req: JoinRequest,
  ) {
    this.groupInstanceId = req.groupInstanceId;
    this.clientId = req.clientId;
    this.clientHost = req.clientHost;
    this.sessionTimeoutMs = req.sessionTimeoutMs;
    this.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    this.protocols = req.protocols;
  }

  get isAwaitingJoin(): boolean {
    return this.joinWaiter !== null;
  }

  update(req: JoinRequest): void {
    this.sessionTimeoutMs = req.sessionTimeoutMs;
    this.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    this.protocols = req.protocols;
  }

  supports(protocol: string): boolean {
    return this.protocols.some((p) => p.name === protocol);
  }

  metadataFor(protocol: string): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
  }

  /** A member waiting in JoinGroup is not timed out: the rebalance timeout governs it. */
  awaitJoin(resolve: (r: JoinResult) => void): void {
    this.stopSession();
    this.joinWaiter?.({ error: ErrorCode.REBALANCE_IN_PROGRESS, generation: -1, protocolName: '', leaderId: '', memberId: this.memberId, members: [] });
    this.joinWaiter = resolve;
  }

  completeJoin(result: JoinResult): void {
    const waiter = this.joinWaiter;
    this.joinWaiter = null;
    waiter?.(result);
  }

  awaitSync(resolve: (r: SyncResult) => void): void {
    this.syncWaiter?.({ error: ErrorCode.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
    this.syncWaiter = resolve;
  }

  completeSync(result: SyncResult): void {
    const waiter = this.syncWaiter;
    this.syncWaiter = null;
    waiter?.(result);
  }

  resetSession(onExpiry: () => void): void {
    this.stopSession();
    this.sessionTimer = setTimeout(onExpiry, this.sessionTimeoutMs);
    this.sessionTimer.unref();
  }

  dispose(): void {
    this.stopSession();
  }

  private stopSession(): void {
    if (this.sessionTimer) clearTimeout(this.sessionTimer);
    this.sessionTimer = null;
  }
}
