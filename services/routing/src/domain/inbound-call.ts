import type {
  DeviceRingCancelled,
  DeviceRingRequested,
  InboundCallAbandoned,
  InboundCallBridged,
  InboundCallDeclined,
  InboundCallOffered,
  RingCancellationReason,
} from '@homeline/contracts';

/**
 * An inbound call as routing sees it (stream `inbound-<callId>`): offered by the carrier, fanned out
 * to the household's devices or declined, then taken by one device, given up by the caller, or left
 * unanswered. Which devices ring is decided here and nowhere else. The data shapes are the published
 * contracts.
 */
export type InboundCallEvent =
  | { readonly type: 'InboundCallOffered'; readonly data: InboundCallOffered }
  | { readonly type: 'DeviceRingRequested'; readonly data: DeviceRingRequested }
  | { readonly type: 'InboundCallDeclined'; readonly data: InboundCallDeclined }
  | { readonly type: 'InboundCallBridged'; readonly data: InboundCallBridged }
  | { readonly type: 'InboundCallAbandoned'; readonly data: InboundCallAbandoned }
  | { readonly type: 'DeviceRingCancelled'; readonly data: DeviceRingCancelled };

interface OfferedCall {
  readonly callId: string;
  readonly accountId: string;
  readonly carrierCallId: string;
  /** The devices asked to ring and not told to stop. */
  readonly ringing: readonly string[];
  /**
   * The devices stopped because identity unlinked them while they rang: an answer of theirs that
   * identity authorised before the unlink may still reach calls, which then connects it.
   */
  readonly unlinked: readonly string[];
}

export type InboundIdle = { readonly status: 'idle' };
/** Offered: its devices ring until one answer wins, the caller hangs up, or nobody answers. */
export type InboundRinging = OfferedCall & { readonly status: 'ringing' };
/** One device took it; the carrier was asked to bridge the caller to it. */
export type InboundAnswered = OfferedCall & { readonly status: 'answered'; readonly deviceId: string };
/** Nothing rings any more and nobody will take it. */
export type InboundOver = OfferedCall & { readonly status: 'declined' | 'abandoned' | 'unanswered' | 'ended' };

export type InboundCallState = InboundIdle | InboundRinging | InboundAnswered | InboundOver;

export const initialInboundState = (): InboundCallState => ({ status: 'idle' });

/** How a ringing call ends when its devices are told to stop for this reason (an unlinked device stops alone). */
const endedBy: Record<Exclude<RingCancellationReason, 'device_unlinked'>, InboundOver['status']> = {
  no_answer: 'unanswered',
  caller_hung_up: 'abandoned',
  call_ended: 'ended',
  answered_elsewhere: 'ended', // never decided without an InboundCallBridged before it
};

const offeredOf = (state: InboundCallState): OfferedCall => {
  if (state.status === 'idle') throw new Error('an inbound call that was never offered has no history to build on');
  return state;
};

const without = (devices: readonly string[], deviceId: string): string[] => devices.filter((d) => d !== deviceId);

export const evolveInbound = (state: InboundCallState, event: InboundCallEvent): InboundCallState => {
  switch (event.type) {
    case 'InboundCallOffered': {
      const { callId, accountId, carrierCallId, devices } = event.data;
      return { status: 'ringing', callId, accountId, carrierCallId, ringing: devices, unlinked: [] };
    }
    case 'DeviceRingRequested':
      return state; // the device cloud's notice of a device already in `ringing`
    case 'InboundCallDeclined':
      return { ...offeredOf(state), status: 'declined', ringing: [] };
    case 'InboundCallBridged': {
      const offered = offeredOf(state);
      const { deviceId } = event.data;
      return { ...offered, status: 'answered', deviceId, ringing: without(offered.ringing, deviceId) };
    }
    case 'InboundCallAbandoned':
      return { ...offeredOf(state), status: 'abandoned' };
    case 'DeviceRingCancelled': {
      if (state.status === 'idle') throw new Error('a device stopped ringing for a call never offered');
      const ringing = without(state.ringing, event.data.deviceId);
      if (state.status !== 'ringing') return { ...state, ringing };
      // A speaker taken out of the household: the others ring on; the last one gone, nobody can answer.
      if (event.data.reason === 'device_unlinked') {
        const unlinked = [...state.unlinked, event.data.deviceId];
        return ringing.length > 0 ? { ...state, ringing, unlinked } : { ...state, status: 'unanswered', ringing, unlinked };
      }
      return { ...state, status: endedBy[event.data.reason], ringing };
    }
    default: {
      const unknown: never = event;
      throw new Error(`unknown inbound call event ${(unknown as InboundCallEvent).type}`);
    }
  }
};
