import { rawQuery } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import type { CallUsageStore, Caller } from '../../application/ports';
import type { CallUsage } from '../../domain';

const keyOf = (caller: Caller): string => JSON.stringify([caller.accountId, caller.deviceId]);

/**
 * What the outbound limits count, from the carrier legs (migrations/routing-call-limits.migration.ts
 * holds the function: it takes the accounts' locks, then counts in a snapshot taken after them).
 */
export class SqlCallUsage implements CallUsageStore {
  async lockAndRead(
    tx: EntityManager,
    callers: readonly Caller[],
    since: { readonly rateSince: Date; readonly budgetSince: Date },
  ): Promise<(caller: Caller) => CallUsage | undefined> {
    const unique = [...new Map(callers.map((c) => [keyOf(c), c])).values()];
    if (unique.length === 0) return () => undefined;
    const rows = await rawQuery<CallUsage & Caller>(
      tx,
      'routing_lock_call_usage_v1',
      `SELECT * FROM routing_lock_call_usage($1::text[], $2::text[], $3, $4)`,
      [unique.map((c) => c.accountId), unique.map((c) => c.deviceId), since.rateSince.toISOString(), since.budgetSince.toISOString()],
    );
    const usage = new Map(
      rows.map(({ accountId, deviceId, ...counts }) => [keyOf({ accountId, deviceId }), counts satisfies CallUsage]),
    );
    return (caller) => usage.get(keyOf(caller));
  }
}
