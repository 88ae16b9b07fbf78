import { appendToStream, readStream } from '@homeline/event-store';
import type { EntityManager } from 'typeorm';
import { decide, deadlineOf, foldCall, type CallCommand, type CallEvent, type CallState, type CallTimeouts } from '../domain';

export const callStreamId = (callId: string): string => `call-${callId}`;

export interface CallOutcome {
  readonly state: CallState;
  readonly newEvents: readonly CallEvent[];
}

/**
 * Runs the commands `ask` derives from a call's current state, inside the caller's transaction.
 * The call's stream is locked for the transaction first: the HTTP edge, the process manager and
 * the deadline scheduler all write to calls, and serialising them per call is cheaper than
 * retrying conflicts. The expected version is still checked on append, as a second guard.
 */
export async function updateCall(
  manager: EntityManager,
  callId: string,
  ask: (state: CallState) => readonly CallCommand[],
  timeouts: CallTimeouts,
  metadata: { causationId?: string | null } = {},
): Promise<CallOutcome> {
  const streamId = callStreamId(callId);
  await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [streamId]);
  const stream = await readStream(manager, streamId);
  const current = foldCall(stream.events as unknown as CallEvent[]);
  let state = current;
  const newEvents: CallEvent[] = [];
  for (const command of ask(current)) {
    const events = decide(command, state, timeouts);
    state = foldCall(events, state);
    newEvents.push(...events);
  }
  if (newEvents.length === 0) return { state, newEvents };
  await appendToStream(manager, streamId, newEvents, {
    expectedVersion: stream.currentVersion,
    source: 'calls',
    correlationId: callId,
    causationId: metadata.causationId ?? null,
    accountId: 'accountId' in state ? state.accountId : null,
  });
  await scheduleDeadline(manager, callId, state);
  return { state, newEvents };
}

/** One row per waiting call with the time its current step expires; a call awaiting nothing has none. */
async function scheduleDeadline(manager: EntityManager, callId: string, state: CallState): Promise<void> {
  const due = deadlineOf(state);
  if (due === null) {
    await manager.query('DELETE FROM call_deadlines WHERE call_id = $1', [callId]);
    return;
  }
  await manager.query(
    `INSERT INTO call_deadlines (call_id, due_at) VALUES ($1, $2)
     ON CONFLICT (call_id) DO UPDATE SET due_at = excluded.due_at`,
    [callId, due],
  );
}
