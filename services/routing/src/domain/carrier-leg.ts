import type {
  CarrierLegAnswered,
  CarrierLegEnded,
  CarrierLegFailed,
  CarrierLegRequested,
  CarrierLegRinging,
} from '@homeline/contracts';

/**
 * A carrier leg (stream `leg-<legId>`): asked of the carrier, then what the carrier reports, or
 * our own release. The data shapes are the published contracts.
 */
export type CarrierLegEvent =
  | { readonly type: 'CarrierLegRequested'; readonly data: CarrierLegRequested }
  | { readonly type: 'CarrierLegRinging'; readonly data: CarrierLegRinging }
  | { readonly type: 'CarrierLegAnswered'; readonly data: CarrierLegAnswered }
  | { readonly type: 'CarrierLegFailed'; readonly data: CarrierLegFailed }
  | { readonly type: 'CarrierLegEnded'; readonly data: CarrierLegEnded };

interface LegBasics {
  readonly callId: string;
  readonly legId: string;
  readonly e164: string;
}
interface OnCarrier extends LegBasics {
  readonly carrierCallId: string;
}

export type LegIdle = { readonly status: 'idle' };
/** Asked of the carrier; no callback yet. */
export type LegRequested = LegBasics & { readonly status: 'requested' };
export type LegRinging = OnCarrier & { readonly status: 'ringing' };
export type LegAnswered = OnCarrier & { readonly status: 'answered'; readonly answeredAt: string };
export type LegFailed = LegBasics & {
  readonly status: 'failed';
  readonly reason: CarrierLegFailed['reason'];
  readonly sipCode: number;
  readonly q850: number;
};
export type LegEnded = LegBasics & {
  readonly status: 'ended';
  readonly releasedBy: CarrierLegEnded['releasedBy'];
  readonly duration: number;
};

export type CarrierLegState = LegIdle | LegRequested | LegRinging | LegAnswered | LegFailed | LegEnded;

export const initialLegState = (): CarrierLegState => ({ status: 'idle' });

/** How far a leg has come; a callback may only move it forward. Final states are the top. */
export const progressOf = (state: CarrierLegState): number =>
  ({ idle: 0, requested: 1, ringing: 2, answered: 3, failed: 4, ended: 4 })[state.status];

export const isLegFinal = (state: CarrierLegState): state is LegFailed | LegEnded => progressOf(state) === 4;

const basicsOf = (state: CarrierLegState): LegBasics => {
  if (state.status === 'idle') throw new Error('an idle leg has no history to build on');
  return { callId: state.callId, legId: state.legId, e164: state.e164 };
};

export const evolveLeg = (state: CarrierLegState, event: CarrierLegEvent): CarrierLegState => {
  switch (event.type) {
    case 'CarrierLegRequested':
      return { status: 'requested', callId: event.data.callId, legId: event.data.legId, e164: event.data.e164 };
    case 'CarrierLegRinging':
      return { ...basicsOf(state), status: 'ringing', carrierCallId: event.data.carrierCallId };
    case 'CarrierLegAnswered':
      return {
        ...basicsOf(state),
        status: 'answered',
        carrierCallId: event.data.carrierCallId,
        answeredAt: event.data.answeredAt,
      };
    case 'CarrierLegFailed':
      return {
        ...basicsOf(state),
        status: 'failed',
        reason: event.data.reason,
        sipCode: event.data.sipCode,
        q850: event.data.q850,
      };
    case 'CarrierLegEnded':
      return { ...basicsOf(state), status: 'ended', releasedBy: event.data.releasedBy, duration: event.data.duration };
    default: {
      const unknown: never = event;
      throw new Error(`unknown leg event ${(unknown as CarrierLegEvent).type}`);
    }
  }
};
