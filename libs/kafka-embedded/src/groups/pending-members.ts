/**
 * Member ids handed out with MEMBER_ID_REQUIRED (JoinGroup v4+, KIP-394), as Kafka does: a new
 * member first gets its id, and joins only when it comes back with it. An id that is not
 * claimed within the session timeout is forgotten, so clients that never return leave nothing
 * behind.
 */
export class PendingMembers {
  private readonly expiries = new Map<string, NodeJS.Timeout>();

  add(memberId: string, sessionTimeoutMs: number): void {
    const timer = setTimeout(() => this.expiries.delete(memberId), sessionTimeoutMs);
    timer.unref();
    this.expiries.set(memberId, timer);
  }

  /** True (and forgets the id) when the id was handed out and not yet claimed. */
  claim(memberId: string): boolean {
    const timer = this.expiries.get(memberId);
    if (!timer) return false;
    clearTimeout(timer);
    this.expiries.delete(memberId);
    return true;
  }

  clear(): void {
    for (const timer of this.expiries.values()) clearTimeout(timer);
    this.expiries.clear();
  }
}
