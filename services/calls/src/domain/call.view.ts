import type { CallReason } from '@homeline/contracts';
import type { CallStatus } from './call';
import type { ExpireDeadline } from './call.commands';
import type { AnyCallState } from './call-decider';

/** The status `GET /v1/calls/:id` shows; null before the call exists. */
export const statusOf = (state: AnyCallState): CallStatus | null => (state.status === 'idle' ? null : state.status);

export const reasonOf = (state: AnyCallState): CallReason | null => {
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
export const deadlineOf = (state: AnyCallState): string | null =>
  state.status === 'verifying' || state.status === 'routing' || state.status === 'ringing' ? state.deadline : null;

export const expireDeadline = (callId: string, now: string): ExpireDeadline => ({
  type: 'ExpireDeadline',
  callId,
  now,
});
