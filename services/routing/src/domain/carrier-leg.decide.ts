import { releaseCodesOf, type CarrierLegFailed, type CarrierLegRequested, type ReleaseCodes } from '@homeline/contracts';
import type { Decider } from '@homeline/event-store';
import {
  evolveLeg,
  initialLegState,
  isLegFinal,
  progressOf,
  type CarrierLegEvent,
  type CarrierLegState,
  type LegAnswered,
} from './carrier-leg';

/** A status callback as the carrier webhook reports it (already authenticated at the edge). */
export type CarrierStatus = 'ringing' | 'answered' | 'completed' | 'busy' | 'no_answer' | 'failed';

/** A routed call asks the carrier for a leg. */
export type RequestLeg = { readonly type: 'RequestLeg' } & CarrierLegRequested;

export type RecordCarrierStatus = {
  readonly type: 'RecordCarrierStatus';
  readonly legId: string;
  readonly carrierCallId: string;
  readonly status: CarrierStatus;
  /** The carrier's per-call sequence number. */
  readonly sequence: number;
  /**
   * The highest sequence already applied to this leg (null: none). The published events carry no
   * sequence, so routing keeps it beside the leg and hands it in with each callback.
   */
  readonly appliedSequence: number | null;
  readonly sipCode?: number;
  readonly q850?: number;
  /** Seconds answered, on `completed`. */
  readonly duration?: number;
  readonly now: string;
};
/** We release the leg: the caller hung up, or the call failed (e.g. timed out) while the leg was up. */
export type ReleaseLeg = { readonly type: 'ReleaseLeg'; readonly legId: string; readonly now: string };
/** The carrier kept refusing the placement: the leg fails without ever reaching it. */
export type GiveUpPlacement = { readonly type: 'GiveUpPlacement'; readonly legId: string; readonly now: string };

export type CarrierLegCommand = RequestLeg | RecordCarrierStatus | ReleaseLeg | GiveUpPlacement;

export class CarrierLegError extends Error {
  constructor(
    readonly code: 'leg_not_found',
    message: string,
  ) {
    super(message);
    this.name = 'CarrierLegError';
  }
}

/** SIP response and Q.850 cause to record when the carrier gives none. */
const defaultCodes: Record<CarrierLegFailed['reason'], { sipCode: number; q850: number }> = {
  busy: { sipCode: 486, q850: 17 },
  no_answer: { sipCode: 480, q850: 19 },
  failed: { sipCode: 503, q850: 41 },
};

const progressOfStatus: Record<CarrierStatus, number> = {
  ringing: 2,
  answered: 3,
  completed: 4,
  busy: 4,
  no_answer: 4,
  failed: 4,
};

type Live = Exclude<CarrierLegState, { status: 'idle' | 'failed' | 'ended' }>;

const secondsBetween = (from: string, to: string): number => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

const ended = (
  s: Live,
  carrierCallId: string | null,
  releasedBy: 'remote' | 'local',
  duration: number,
  codes: ReleaseCodes = {},
): CarrierLegEvent => ({
  type: 'CarrierLegEnded',
  data: { callId: s.callId, legId: s.legId, carrierCallId, duration, releasedBy, ...releaseCodesOf(codes) },
});

const answered = (s: Live, c: RecordCarrierStatus, answeredAt: string): CarrierLegEvent => ({
  type: 'CarrierLegAnswered',
  data: { callId: s.callId, legId: s.legId, carrierCallId: c.carrierCallId, answeredAt },
});

const failed = (
  s: Live,
  carrierCallId: string | null,
  reason: CarrierLegFailed['reason'],
  codes: { sipCode?: number; q850?: number } = {},
): CarrierLegEvent => ({
  type: 'CarrierLegFailed',
  data: {
    callId: s.callId,
    legId: s.legId,
    carrierCallId,
    reason,
    sipCode: codes.sipCode ?? defaultCodes[reason].sipCode,
    q850: codes.q850 ?? defaultCodes[reason].q850,
  },
});

/** An answered leg that reports anything final has ended: the far end released it. */
const finishAnswered = (s: LegAnswered, c: RecordCarrierStatus): CarrierLegEvent[] => [
  ended(s, c.carrierCallId, 'remote', c.duration ?? secondsBetween(s.answeredAt, c.now), c),
];

/**
 * A `completed` that overtakes its `answered` still means the call was answered ("ended after being
 * up", docs/carrier-api.md): both facts are recorded, so calls connects and then ends it, never a
 * failure with SIP 200. Its duration is the carrier's when it gives one; the status callback does
 * not, and the answer's own time is lost with it, so the call counts as answered when it ended.
 */
const finishUnanswered = (s: Live, c: RecordCarrierStatus): CarrierLegEvent[] => {
  if (c.status === 'completed') {
    const duration = Math.max(0, c.duration ?? 0);
    return [
      answered(s, c, new Date(Date.parse(c.now) - duration * 1000).toISOString()),
      ended(s, c.carrierCallId, 'remote', duration, c),
    ];
  }
  return [failed(s, c.carrierCallId, c.status === 'busy' || c.status === 'no_answer' ? c.status : 'failed', c)];
};

/**
 * Carriers repeat and reorder callbacks. A callback older than one already applied (a `busy`
 * with sequence 5 after the `answered` with sequence 10) is history, not news; so is one that
 * would move the leg backwards.
 */
const recordStatus = (c: RecordCarrierStatus, s: Live): CarrierLegEvent[] => {
  if (s.status !== 'requested' && s.carrierCallId !== c.carrierCallId) return []; // another carrier call's callback
  if (c.appliedSequence !== null && c.sequence <= c.appliedSequence) return [];
  if (progressOfStatus[c.status] <= progressOf(s)) return [];
  if (c.status === 'ringing')
    return [{ type: 'CarrierLegRinging', data: { callId: s.callId, legId: s.legId, carrierCallId: c.carrierCallId } }];
  if (c.status === 'answered') return [answered(s, c, c.now)];
  return s.status === 'answered' ? finishAnswered(s, c) : finishUnanswered(s, c);
};

const releaseLeg = (c: ReleaseLeg, s: Live): CarrierLegEvent[] => {
  const carrierCallId = s.status === 'requested' ? null : s.carrierCallId;
  const duration = s.status === 'answered' ? secondsBetween(s.answeredAt, c.now) : 0;
  return [ended(s, carrierCallId, 'local', duration)];
};

/** Only a leg no callback has reached yet fails for want of a placement: any callback proves it was placed. */
const giveUpPlacement = (s: Live): CarrierLegEvent[] => (s.status === 'requested' ? [failed(s, null, 'failed')] : []);

const requestLeg = (c: RequestLeg): CarrierLegEvent[] => {
  const { type: _type, ...data } = c;
  return [{ type: 'CarrierLegRequested', data }];
};

/**
 * What a request, a carrier callback or our own release does to a leg. Nothing moves a leg out
 * of a final state; a leg is requested once.
 */
export const decideLeg = (command: CarrierLegCommand, state: CarrierLegState): CarrierLegEvent[] => {
  if (command.type === 'RequestLeg') return state.status === 'idle' ? requestLeg(command) : [];
  if (state.status === 'idle') {
    if (command.type === 'RecordCarrierStatus')
      throw new CarrierLegError('leg_not_found', `leg ${command.legId} was never requested`);
    return []; // nothing to release or give up
  }
  if (isLegFinal(state)) return [];
  switch (command.type) {
    case 'RecordCarrierStatus':
      return recordStatus(command, state);
    case 'ReleaseLeg':
      return releaseLeg(command, state);
    case 'GiveUpPlacement':
      return giveUpPlacement(state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown leg command ${(unknown as CarrierLegCommand).type}`);
    }
  }
};

export const carrierLegDecider: Decider<CarrierLegCommand, CarrierLegEvent, CarrierLegState> = {
  decide: decideLeg,
  evolve: evolveLeg,
  initialState: initialLegState,
};
