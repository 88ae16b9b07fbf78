import { eventually } from '@homeline/testing';
import type { CallView, HomelineClient } from '../../src/homeline-client';

/** One device places every call in the load tests: the toll-fraud limits would refuse most of them. */
export const unlimited = { RATE_LIMIT_DEVICE_PER_MINUTE: '100000', RATE_LIMIT_ACCOUNT_PER_MINUTE: '100000', MAX_CONCURRENT_CALLS_PER_LINE: '100000' };

/**
 * docs/architecture.md section 4, as a caller sees it: no event twice in any call's timeline, and
 * the audit holds each call from its request to its final event.
 */
export const expectSound = async (client: HomelineClient, calls: readonly CallView[]): Promise<void> => {
  for (const call of calls) {
    const types = call.timeline.map((e) => e.type);
    expect({ callId: call.callId, types: [...new Set(types)] }).toEqual({ callId: call.callId, types });
  }
  for (const call of calls) {
    await eventually(async () => {
      const { entries } = await client.auditEntries({ callId: call.callId });
      expect(entries.map((e) => e.type)).toEqual(expect.arrayContaining(['CallRequested', call.timeline[call.timeline.length - 1].type]));
    }, { timeoutMs: 60_000 });
  }
};
