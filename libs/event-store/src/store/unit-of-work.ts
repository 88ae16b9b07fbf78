import type { EntityManager } from 'typeorm';
import { commitUnitOfWork, type Companion, type StreamAppend } from './append';
import { backoffMs, isTransientFailure } from './failures';
import type { RetryPolicy } from './transaction';
import type { AppendResult } from './types';

/**
 * What one step of work reads and writes, when it can be written in one statement: it reads
 * through `reads` (outside any transaction), stages appends (CommandHandler.stage) and companion
 * writes (`also`), and `commit` writes them all, with the inbox rows of the events it consumed,
 * in ONE statement — no BEGIN, no COMMIT, one round trip. The reads and the write are not one
 * transaction: the write's own checks (stream versions, unique keys) make it safe, and a step
 * that loses a race fails as a whole and runs again on a fresh read.
 */
export class UnitOfWork {
  private readonly appends: StreamAppend[] = [];
  private readonly companions: Companion[] = [];
  private readonly committed: (() => void)[] = [];

  constructor(
    /** For reads, and the connection the commit runs on (a transaction's manager puts it in that transaction). */
    readonly reads: EntityManager,
    private readonly inbox?: { readonly consumer: string; readonly eventIds: readonly string[] },
  ) {}

  append(appends: readonly StreamAppend[]): void {
    this.appends.push(...appends);
  }

  /** A write that commits with the events or not at all; see Companion. */
  also(companion: Companion): void {
    this.companions.push(companion);
  }

  /** Runs after a successful commit (to wake a local timer, say); never if the commit fails. */
  onCommitted(callback: () => void): void {
    this.committed.push(callback);
  }

  async commit(): Promise<AppendResult[]> {
    const results = await commitUnitOfWork(this.reads, { appends: this.appends, inbox: this.inbox, companions: this.companions });
    for (const callback of this.committed) callback();
    return results;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a step as a unit of work of its own — its reads, then its one statement — and again, on a
 * fresh read, after a transient failure (a lost race, a dropped connection), as runInTransaction
 * does for transactions. On a transaction's manager it joins that transaction and is not retried
 * here (the transaction's own retry reruns it).
 */
export const runUnitOfWork = async <T>(db: EntityManager, step: (uow: UnitOfWork) => Promise<T>, policy: RetryPolicy = {}): Promise<T> => {
  const inTransaction = db.queryRunner?.isTransactionActive ?? false;
  const maxAttempts = inTransaction ? 1 : (policy.maxAttempts ?? 8);
  for (let attempt = 1; ; attempt++) {
    try {
      const uow = new UnitOfWork(db);
      const result = await step(uow);
      await uow.commit();
      return result;
    } catch (error) {
      if (!isTransientFailure(error) || attempt >= maxAttempts) throw error;
      policy.onRetry?.(error, attempt);
      await sleep(backoffMs(attempt, policy.baseDelayMs ?? 2));
    }
  }
};
