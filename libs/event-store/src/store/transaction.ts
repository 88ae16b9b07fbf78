import type { DataSource, EntityManager } from 'typeorm';
import { backoffMs, isTransientFailure } from './failures';

export interface RetryPolicy {
  /** Attempts in all (default 8); a command's lost races are retried on a fresh read. */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  /** Told of each retry (logs, metrics). */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The one retry policy of the write path: runs `work` in a transaction and, when it fails
 * transiently (a lost race on a stream version or an inbox row, a serialization failure, a
 * deadlock, a dropped connection), rolls back and runs it again from scratch, with jittered
 * backoff, up to `maxAttempts`. Other failures are thrown at once.
 */
export const runInTransaction = async <T>(
  dataSource: DataSource,
  work: (tx: EntityManager) => Promise<T>,
  policy: RetryPolicy = {},
): Promise<T> => {
  const maxAttempts = policy.maxAttempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction(work);
    } catch (error) {
      if (!isTransientFailure(error) || attempt >= maxAttempts) throw error;
      policy.onRetry?.(error, attempt);
      await sleep(backoffMs(attempt, policy.baseDelayMs ?? 2));
    }
  }
};

/** Runs `work` in the caller's transaction when there is one, else in a new retried one. */
export const inTransaction = <T>(
  dataSource: DataSource,
  tx: EntityManager | undefined,
  work: (tx: EntityManager) => Promise<T>,
  policy?: RetryPolicy,
): Promise<T> => (tx?.queryRunner?.isTransactionActive ? work(tx) : runInTransaction(dataSource, work, policy));
