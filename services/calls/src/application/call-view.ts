import { releaseCodesOf, type CallReason } from '@homeline/contracts';
import { foldAnyCall, isInbound, reasonOf, statusOf, type AnyCallEvent, type CallStatus, type RingingDevice } from '../domain';

type TimelineEntry = { readonly type: string; readonly at: string; readonly data: Record<string, unknown> };

/** What `GET /v1/calls/:id` shows (docs/architecture.md sections 6 and 6.1): status, reason, who, where, the timeline. */
export interface CallView {
  readonly callId: string;
  readonly direction: 'outbound' | 'inbound';
  readonly status: CallStatus;
  readonly reason?: CallReason;
  readonly memberId?: string;
  /** The device that placed the call, or the one that answered it. */
  readonly deviceId?: string;
  readonly target?: string;
  readonly destination?: { readonly class: string; readonly e164: string };
  /** Inbound: the caller, as the carrier gave it, and the household contact it is. */
  readonly from?: string;
  readonly callerName?: string;
  readonly sensitive?: boolean;
  readonly devices?: readonly RingingDevice[];
  /** The carrier's SIP status and Q.850 cause, when a leg failed or the far end released it. */
  readonly sipCode?: number;
  readonly q850?: number;
  readonly timeline: readonly TimelineEntry[];
}

type StoredCallEvent = AnyCallEvent & { readonly occurredAt: string };

/** Never shown: the raw voice assertion (a biometric embedding and a signature). */
const visible = ({ voice: _voice, ...rest }: Record<string, unknown>): Record<string, unknown> => rest;

/**
 * Status and reason come from the Call's own fold; who spoke and where the call went stay visible
 * after it ends, so they are read from the events that recorded them.
 */
export const toCallView = (callId: string, events: readonly StoredCallEvent[]): CallView | null => {
  const state = foldAnyCall(events);
  const status = statusOf(state);
  if (status === null || state.status === 'idle') return null;
  const timeline = events.map((e) => ({ type: e.type, at: e.occurredAt, data: visible(e.data as Record<string, unknown>) }));
  const reason = reasonOf(state);
  // The codes of the leg's end, as the carrier gave them: a failure's, or the far end's release.
  const end = events.find((e) => e.type === 'CallEnded' || e.type === 'CallFailed');
  const codes = end?.type === 'CallEnded' || end?.type === 'CallFailed' ? releaseCodesOf(end.data) : {};
  const common = { callId, status, ...(reason ? { reason } : {}), ...codes, timeline };
  if (isInbound(state)) {
    const answered = state.status === 'connected' ? { memberId: state.memberId ?? undefined, deviceId: state.deviceId } : answeredBy(events);
    return {
      ...common, direction: 'inbound', from: state.from, ...(state.callerName ? { callerName: state.callerName } : {}),
      sensitive: state.sensitive, devices: state.devices, ...definedOnly(answered),
    };
  }
  const routed = events.find((e) => e.type === 'CallRouted');
  const speaker = events.find((e) => e.type === 'CallRouting');
  const memberId = speaker?.type === 'CallRouting' ? speaker.data.memberId : null;
  return {
    ...common,
    direction: 'outbound',
    ...(memberId ? { memberId } : {}),
    deviceId: state.deviceId,
    target: state.target,
    ...(routed?.type === 'CallRouted' ? { destination: { class: routed.data.class, e164: routed.data.e164 } } : {}),
  };
};

/** An inbound call that has ended still shows who had answered it. */
const answeredBy = (events: readonly StoredCallEvent[]) => {
  const connected = events.find((e) => e.type === 'CallConnected');
  return connected?.type === 'CallConnected' ? { memberId: connected.data.memberId ?? undefined, deviceId: connected.data.deviceId } : {};
};

const definedOnly = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
