import type { RecordedEvent } from '@homeline/event-store';
import { Counter, type Registry } from 'prom-client';

/** The Call's events an operator counts, and the field that says why. */
const outcomes: Readonly<Record<string, { readonly outcome: string; readonly why?: 'reason' | 'cause' }>> = {
  CallConnected: { outcome: 'connected' },
  CallRejected: { outcome: 'rejected', why: 'reason' },
  CallFailed: { outcome: 'failed', why: 'reason' },
  CallEnded: { outcome: 'ended', why: 'cause' },
};

/**
 * `calls_outcomes_total{outcome, reason}`: calls connected, and calls that reached a final state by
 * reason (an outage's `timeout`s, a burst of `not_permitted`) — what the on-call engineer asks of
 * calls first. Counted from the events calls' relay published: after their commit, once per event
 * (again only after a relay crash); the replicas' series add up to the system's. The reasons are
 * the contracts' enums, so the series stay few.
 */
export const callOutcomeMetrics = (registry: Registry): ((events: readonly RecordedEvent[]) => void) => {
  const counter = new Counter({
    name: 'calls_outcomes_total',
    help: 'Calls connected, and calls rejected, failed or ended, by reason (the end cause for ended)',
    labelNames: ['outcome', 'reason'],
    registers: [registry],
  });
  return (events) => {
    for (const event of events) {
      const counted = outcomes[event.type];
      if (!counted) continue;
      const reason = counted.why ? (event.data as Record<string, unknown>)[counted.why] : undefined;
      counter.inc({ outcome: counted.outcome, reason: typeof reason === 'string' ? reason : '' });
    }
  };
};
