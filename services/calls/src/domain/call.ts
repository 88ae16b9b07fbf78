import type { DestinationClass, EndCause, FailureReason, RejectionReason } from '@homeline/contracts';
import type { CallEvent } from './call.events';

/** What every call knows from its request on. */
interface CallBasics {
  readonly callId: string;
  readonly direction: 'outbound' | 'inbound';
  readonly deviceId: string;
  readonly target: string;
  readonly requestedAt: string;
}

/** Known once identity has answered. */
interface Routed extends CallBasics {
  readonly accountId: string;
  /** The verified speaker; null for an unverified call allowed through as a possible emergency. */
  readonly memberId: string | null;
  /** How many times an emergency call's failed leg was dialled again (absent: none). */
  readonly redials?: number;
}

interface Destination {
  readonly class: DestinationClass;
  readonly e164: string;
}

export type Idle = { readonly status: 'idle' };
/** Waiting for identity's decision. */
export type Verifying = CallBasics & { readonly status: 'verifying'; readonly deadline: string };
/** Waiting for routing to pick a destination (destination null), then for the carrier leg to ring. */
export type Routing = Routed & {
  readonly status: 'routing';
  readonly destination: Destination | null;
  readonly deadline: string;
};
/** Waiting for the far end to answer. */
export type Ringing = Routed & {
  readonly status: 'ringing';
  readonly destination: Destination;
  readonly deadline: string;
};
export type Connected = Routed & {
  readonly status: 'connected';
  readonly destination: Destination;
  readonly connectedAt: string;
};
/** A call over keeps the account identity named for it (null: it ended before identity answered). */
interface Over extends CallBasics {
  readonly accountId: string | null;
}
export type Ended = Over & {
  readonly status: 'ended';
  readonly cause: EndCause;
  readonly duration: number;
  readonly endedAt: string;
};
export type Rejected = Over & {
  readonly status: 'rejected';
  readonly reason: RejectionReason;
  readonly rejectedAt: string;
};
export type Failed = Over & {
  readonly status: 'failed';
  readonly reason: FailureReason;
  readonly stage?: 'verification' | 'routing' | 'ringing' | 'answer';
  readonly sipCode?: number;
  readonly q850?: number;
  readonly failedAt: string;
};

export type CallState = Idle | Verifying | Routing | Ringing | Connected | Ended | Rejected | Failed;
export type CallStatus = Exclude<CallState['status'], 'idle'>;
export type FinalCall = Ended | Rejected | Failed;

export const initialCallState: CallState = { status: 'idle' };

export const isFinal = (state: CallState): state is FinalCall =>
  state.status === 'ended' || state.status === 'rejected' || state.status === 'failed';

const basicsOf = (state: CallState): CallBasics => {
  if (state.status === 'idle') throw new Error('an idle call has no history to build on');
  const { callId, direction, deviceId, target, requestedAt } = state;
  return { callId, direction, deviceId, target, requestedAt };
};

/** The account identity named for a call (any call, outbound or inbound), or null while none is known. */
export const accountOfCall = (state: object): string | null => ('accountId' in state ? (state.accountId as string | null) : null);

const overOf = (state: CallState): Over => ({ ...basicsOf(state), accountId: accountOfCall(state) });

const routedOf = (state: CallState): Routed => {
  if (state.status !== 'routing' && state.status !== 'ringing' && state.status !== 'connected') {
    throw new Error(`a ${state.status} call has not been routed`);
  }
  const { accountId, memberId, redials } = state;
  return { ...basicsOf(state), accountId, memberId, ...(redials ? { redials } : {}) };
};

/** Folds one event into the state. Events are facts: evolve never refuses one that decide produced. */
export const evolve = (state: CallState, event: CallEvent): CallState => {
  switch (event.type) {
    case 'CallRequested': {
      const { callId, direction, deviceId, target, requestedAt, deadline } = event.data;
      return { status: 'verifying', callId, direction, deviceId, target, requestedAt, deadline };
    }
    case 'CallRouting': {
      const { accountId, memberId, deadline } = event.data;
      return { ...basicsOf(state), status: 'routing', accountId, memberId, destination: null, deadline };
    }
    case 'CallRouted':
      return {
        ...routedOf(state),
        status: 'routing',
        destination: { class: event.data.class, e164: event.data.e164 },
        deadline: event.data.deadline,
      };
    case 'EmergencyRedialRequested':
      // Waiting, as after routing, for the new leg to ring.
      return {
        ...routedOf(state),
        status: 'routing',
        destination: destinationOf(state),
        deadline: event.data.deadline,
        redials: event.data.attempt,
      };
    case 'CallRinging':
      return {
        ...routedOf(state),
        status: 'ringing',
        destination: destinationOf(state),
        deadline: event.data.deadline,
      };
    case 'CallConnected':
      return {
        ...routedOf(state),
        status: 'connected',
        destination: destinationOf(state),
        connectedAt: event.data.connectedAt,
      };
    case 'CallEnded':
      return {
        ...overOf(state),
        status: 'ended',
        cause: event.data.cause,
        duration: event.data.duration,
        endedAt: event.data.endedAt,
      };
    case 'CallRejected':
      return { ...overOf(state), status: 'rejected', reason: event.data.reason, rejectedAt: event.data.rejectedAt };
    case 'CallFailed': {
      const { reason, stage, sipCode, q850, failedAt } = event.data;
      return { ...overOf(state), status: 'failed', reason, stage, sipCode, q850, failedAt };
    }
    default: {
      const unknown: never = event;
      throw new Error(`unknown call event ${(unknown as CallEvent).type}`);
    }
  }
};

const destinationOf = (state: CallState): Destination => {
  if ((state.status === 'routing' || state.status === 'ringing' || state.status === 'connected') && state.destination) {
    return state.destination;
  }
  throw new Error(`a ${state.status} call has no destination`);
};

export const foldCall = (events: readonly CallEvent[], from: CallState = initialCallState): CallState =>
  events.reduce(evolve, from);
