import type { CallReason } from '@homeline/contracts';
import type { CallState, CallStatus } from './call';
import type { ExpireDeadline } from './call.commands';

/** The status `GET /v1/calls/:id` shows; null before the call exists. */
export const statusOf = (state: CallState): CallStatus | null => (state.status === 'idle' ? null : state.status);

export const reasonOf = (state: CallState): CallReason | null => {
  switch (state.status) {
    case 'rejected':
    case 'failed':
      return state.reason;
    case 'ended':
      return state.cause;
    default:
      return null;
  }
};

/** When the current waiting step times out; null when nothing is awaited. */
export const deadlineOf = (state: CallState): string | null =>
  state.status === 'verifying' || state.status === 'routing' || state.status === 'ringing' ? state.deadline : null;

/** The timer a call needs: at `at`, send ExpireDeadline (with the clock's `now` when it fires). */
export const timerFor = (state: CallState): { readonly callId: string; readonly at: string } | null => {
  const at = deadlineOf(state);
  return at === null || state.status === 'idle' ? null : { callId: state.callId, at };
};

export const expireDeadline = (callId: string, now: string): ExpireDeadline => ({
  type: 'ExpireDeadline',
  callId,
  now,
});
