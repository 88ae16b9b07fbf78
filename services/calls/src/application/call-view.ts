import type { CallReason } from '@homeline/contracts';
import { foldCall, reasonOf, statusOf, type CallEvent, type CallStatus } from '../domain';

/** What `GET /v1/calls/:id` shows: status, reason, who, where, and the timeline of the call's events. */
export interface CallView {
  readonly callId: string;
  readonly direction: 'outbound' | 'inbound';
  readonly status: CallStatus;
  readonly reason?: CallReason;
  readonly memberId?: string;
  readonly deviceId: string;
  readonly target: string;
  readonly destination?: { readonly class: string; readonly e164: string };
  readonly timeline: ReadonlyArray<{ readonly type: string; readonly at: string; readonly data: Record<string, unknown> }>;
}

type StoredCallEvent = CallEvent & { readonly occurredAt: string };

/** Never shown: the raw voice assertion (a biometric embedding and a signature). */
const visible = ({ voice: _voice, ...rest }: Record<string, unknown>): Record<string, unknown> => rest;

/**
 * Status and reason come from the Call's own fold; who spoke and where the call went stay visible
 * after it ends, so they are read from the events that recorded them.
 */
export const toCallView = (callId: string, events: readonly StoredCallEvent[]): CallView | null => {
  const state = foldCall(events);
  const status = statusOf(state);
  if (status === null || state.status === 'idle') return null;
  const routed = events.find((e) => e.type === 'CallRouted');
  const speaker = events.find((e) => e.type === 'CallRouting');
  const memberId = speaker?.type === 'CallRouting' ? speaker.data.memberId : null;
  return {
    callId,
    direction: state.direction,
    status,
    ...(reasonOf(state) ? { reason: reasonOf(state)! } : {}),
    ...(memberId ? { memberId } : {}),
    deviceId: state.deviceId,
    target: state.target,
    ...(routed?.type === 'CallRouted' ? { destination: { class: routed.data.class, e164: routed.data.e164 } } : {}),
    timeline: events.map((e) => ({ type: e.type, at: e.occurredAt, data: visible(e.data) })),
  };
};
