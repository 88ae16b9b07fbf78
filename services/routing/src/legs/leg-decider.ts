import type { CarrierLegAnswered, CarrierLegEnded, CarrierLegFailed, CarrierLegRequested, CarrierLegRinging } from '@homeline/contracts';
import type { CarrierStatusCallback } from '../carrier/carrier.port';

/**
 * PROVISIONAL carrier-leg decider, until services/routing/src/domain provides its own.
 * Sequence numbers order the callbacks; a final leg stays final.
 */
export type LegEvent =
  | { readonly type: 'CarrierLegRequested'; readonly data: CarrierLegRequested }
  | { readonly type: 'CarrierLegRinging'; readonly data: CarrierLegRinging }
  | { readonly type: 'CarrierLegAnswered'; readonly data: CarrierLegAnswered }
  | { readonly type: 'CarrierLegFailed'; readonly data: CarrierLegFailed }
  | { readonly type: 'CarrierLegEnded'; readonly data: CarrierLegEnded };

export type LegState =
  | { readonly status: 'none' }
  | { readonly status: 'requested' | 'ringing'; readonly legId: string; readonly callId: string }
  | { readonly status: 'answered'; readonly legId: string; readonly callId: string; readonly answeredAt: string }
  | { readonly status: 'final'; readonly legId: string; readonly callId: string };

export interface ApplyCarrierStatus {
  readonly type: 'ApplyCarrierStatus';
  readonly callback: CarrierStatusCallback;
  /** We asked for the release (the caller hung up). */
  readonly releasedLocally: boolean;
}

export const initialLegState = (): LegState => ({ status: 'none' });

export const evolveLeg = (state: LegState, event: { type: string; data: unknown; occurredAt?: string }): LegState => {
  if (state.status === 'final') return state;
  switch (event.type) {
    case 'CarrierLegRequested': {
      const data = event.data as CarrierLegRequested;
      return { status: 'requested', legId: data.legId, callId: data.callId };
    }
    case 'CarrierLegRinging':
      return state.status === 'requested' ? { ...state, status: 'ringing' } : state;
    case 'CarrierLegAnswered':
      return state.status === 'none' ? state : { legId: state.legId, callId: state.callId, status: 'answered', answeredAt: event.occurredAt ?? '' };
    case 'CarrierLegFailed':
    case 'CarrierLegEnded':
      return state.status === 'none' ? state : { legId: state.legId, callId: state.callId, status: 'final' };
    default:
      return state;
  }
};

const seconds = (from: string, to: string): number => Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));

export const decideLeg = (command: ApplyCarrierStatus, state: LegState): LegEvent[] => {
  if (state.status === 'none' || state.status === 'final') return [];
  const { callback } = command;
  const ref = { callId: state.callId, legId: state.legId, carrierCallId: callback.carrierCallId };
  switch (callback.status) {
    case 'ringing':
      return state.status === 'requested' ? [{ type: 'CarrierLegRinging', data: ref }] : [];
    case 'answered':
      return state.status === 'answered' ? [] : [{ type: 'CarrierLegAnswered', data: ref }];
    case 'busy':
    case 'no_answer':
    case 'failed': {
      const reason = callback.status;
      if (state.status === 'answered') return [{ type: 'CarrierLegEnded', data: { ...ref, duration: seconds(state.answeredAt, callback.occurredAt), releasedBy: 'remote' } }];
      return [{ type: 'CarrierLegFailed', data: { ...ref, reason, sipCode: callback.sipCode ?? 0, q850: callback.q850 ?? 0 } }];
    }
    case 'completed': {
      const duration = state.status === 'answered' ? seconds(state.answeredAt, callback.occurredAt) : 0;
      return [{ type: 'CarrierLegEnded', data: { ...ref, duration, releasedBy: command.releasedLocally ? 'local' : 'remote' } }];
    }
    default: {
      const unknown: never = callback.status;
      return unknown;
    }
  }
};

export const isLegFinal = (state: LegState): boolean => state.status === 'final';
