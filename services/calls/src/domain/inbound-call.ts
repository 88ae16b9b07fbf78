import type {
  AnswerRequested, CallAnswerRefused, CallConnected, CallEnded, CallFailed, CallOffered, CallRejected, EndCause, RejectionReason, RingCancellationReason,
} from '@homeline/contracts';

/** What a device ringing with an inbound call shows in the call's view (docs/architecture.md section 6.1). */
export interface RingingDevice {
  readonly deviceId: string;
  readonly state: 'ringing' | 'cancelled' | 'answered' | 'refused';
  readonly reason?: string;
}

/** What every inbound call knows from its offer on. */
interface InboundBasics {
  readonly kind: 'inbound';
  readonly callId: string;
  readonly accountId: string;
  readonly from: string;
  readonly callerName: string | null;
  readonly fromContact: boolean;
  readonly sensitive: boolean;
  /** Perhaps the emergency services calling back: any member may answer. */
  readonly emergencyCallback: boolean;
  readonly offeredAt: string;
  readonly devices: readonly RingingDevice[];
}

export type InboundRinging = InboundBasics & { readonly status: 'ringing'; readonly deadline: string };
export type InboundConnected = InboundBasics & {
  readonly status: 'connected';
  readonly memberId: string | null;
  readonly deviceId: string;
  readonly connectedAt: string;
};
export type InboundEnded = InboundBasics & { readonly status: 'ended'; readonly cause: EndCause; readonly endedAt: string };
export type InboundRejected = InboundBasics & { readonly status: 'rejected'; readonly reason: RejectionReason; readonly rejectedAt: string };
export type InboundFailed = InboundBasics & { readonly status: 'failed'; readonly reason: 'no_answer'; readonly failedAt: string };

export type InboundCallState = InboundRinging | InboundConnected | InboundEnded | InboundRejected | InboundFailed;

export type InboundCallEvent =
  | { readonly type: 'CallOffered'; readonly data: CallOffered }
  | { readonly type: 'AnswerRequested'; readonly data: AnswerRequested }
  | { readonly type: 'CallAnswerRefused'; readonly data: CallAnswerRefused }
  | { readonly type: 'CallConnected'; readonly data: CallConnected }
  | { readonly type: 'CallEnded'; readonly data: CallEnded }
  | { readonly type: 'CallRejected'; readonly data: CallRejected }
  | { readonly type: 'CallFailed'; readonly data: CallFailed };

/**
 * The call is settled: the winner answered; every device still ringing stops, saying why (as
 * routing's DeviceRingCancelled does). A refused device was still ringing (another voice may answer on it).
 */
const settleDevices = (devices: readonly RingingDevice[], winner: string | null, reason: string): RingingDevice[] =>
  devices.map((d) =>
    d.deviceId === winner
      ? { deviceId: d.deviceId, state: 'answered' }
      : d.state === 'ringing' || d.state === 'refused' ? { deviceId: d.deviceId, state: 'cancelled', reason } : d,
  );

/**
 * Why a device stopped when the call ended while it rang, in routing's words (DeviceRingCancelled):
 * the caller leaving is `caller_hung_up`; the household hanging up (`cancelled`) is `call_ended`.
 */
const ringEndOf = (cause: EndCause): RingCancellationReason => (cause === 'caller_hung_up' ? 'caller_hung_up' : 'call_ended');

const basicsOf = (s: InboundCallState): InboundBasics => {
  const { kind, callId, accountId, from, callerName, fromContact, sensitive, emergencyCallback, offeredAt, devices } = s;
  return { kind, callId, accountId, from, callerName, fromContact, sensitive, emergencyCallback, offeredAt, devices };
};

/** Folds one event of an inbound call. `state` is undefined before the offer. */
export const evolveInbound = (state: InboundCallState | undefined, event: InboundCallEvent): InboundCallState => {
  if (event.type === 'CallOffered') {
    const { callId, accountId, from, callerName, fromContact, sensitive, offeredAt, deadline } = event.data;
    const devices = event.data.devices.map((deviceId) => ({ deviceId, state: 'ringing' as const }));
    const emergencyCallback = event.data.emergencyCallback ?? false;
    return { kind: 'inbound', status: 'ringing', callId, accountId, from, callerName, fromContact, sensitive, emergencyCallback, offeredAt, devices, deadline };
  }
  if (!state) throw new Error(`an inbound call starts with CallOffered, not ${event.type}`);
  const basics = basicsOf(state);
  switch (event.type) {
    case 'AnswerRequested':
      return state; // the answer waits for identity; the device keeps ringing
    case 'CallAnswerRefused': {
      const devices = state.devices.map((d) =>
        d.deviceId === event.data.deviceId && d.state !== 'answered' ? { deviceId: d.deviceId, state: 'refused' as const, reason: event.data.reason } : d,
      );
      return { ...state, devices };
    }
    case 'CallConnected':
      return { ...basics, status: 'connected', devices: settleDevices(state.devices, event.data.deviceId, 'answered_elsewhere'), memberId: event.data.memberId, deviceId: event.data.deviceId, connectedAt: event.data.connectedAt };
    case 'CallEnded':
      return { ...basics, status: 'ended', devices: settleDevices(state.devices, null, ringEndOf(event.data.cause)), cause: event.data.cause, endedAt: event.data.endedAt };
    case 'CallRejected':
      return { ...basics, status: 'rejected', devices: settleDevices(state.devices, null, event.data.reason), reason: event.data.reason, rejectedAt: event.data.rejectedAt };
    case 'CallFailed':
      return { ...basics, status: 'failed', devices: settleDevices(state.devices, null, 'no_answer'), reason: 'no_answer', failedAt: event.data.failedAt };
    default: {
      const unknown: never = event;
      throw new Error(`unknown inbound call event ${(unknown as InboundCallEvent).type}`);
    }
  }
};
