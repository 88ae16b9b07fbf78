import type { CarrierLegFailed } from '@homeline/contracts';
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

export type RecordCarrierStatus = {
  readonly type: 'RecordCarrierStatus';
  readonly legId: string;
  readonly carrierCallId: string;
  readonly status: CarrierStatus;
  /** The carrier's per-call sequence number. */
  readonly sequence: number;
  readonly sipCode?: number;
  readonly q850?: number;
  /** Seconds answered, on `completed`. */
  readonly duration?: number;
  readonly now: string;
};
/** We release the leg: the caller hung up, or the call failed (e.g. timed out) while the leg was up. */
export type ReleaseLeg = { readonly type: 'ReleaseLeg'; readonly legId: string; readonly now: string };
export type CarrierLegCommand = RecordCarrierStatus | ReleaseLeg;

export class CarrierLegError extends Error {
  constructor(
    readonly code: 'leg_not_found',
    message: string,
  ) {
    super(message);
    this.name = 'CarrierLegError';
  }
}

/** The key a webhook inbox deduplicates callbacks on; the decider is idempotent besides. */
export const callbackKey = (c: Pick<RecordCarrierStatus, 'carrierCallId' | 'status' | 'sequence'>): string =>
  `${c.carrierCallId}:${c.status}:${c.sequence}`;

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
  c: { now: string; carrierCallId: string | null },
  releasedBy: 'remote' | 'local',
  duration: number,
): CarrierLegEvent => ({
  type: 'CarrierLegEnded',
  data: { callId: s.callId, legId: s.legId, carrierCallId: c.carrierCallId, duration, releasedBy },
});

const answered = (s: Live, c: RecordCarrierStatus, answeredAt: string): CarrierLegEvent => ({
  type: 'CarrierLegAnswered',
  data: { callId: s.callId, legId: s.legId, carrierCallId: c.carrierCallId, answeredAt },
});

const failed = (s: Live, c: RecordCarrierStatus, reason: CarrierLegFailed['reason']): CarrierLegEvent => ({
  type: 'CarrierLegFailed',
  data: {
    callId: s.callId,
    legId: s.legId,
    carrierCallId: c.carrierCallId,
    reason,
    sipCode: c.sipCode ?? defaultCodes[reason].sipCode,
    q850: c.q850 ?? defaultCodes[reason].q850,
  },
});

/** An answered leg that reports anything final has ended: the far end released it. */
const finishAnswered = (s: LegAnswered, c: RecordCarrierStatus): CarrierLegEvent[] => [
  ended(s, c, 'remote', c.duration ?? secondsBetween(s.answeredAt, c.now)),
];

/**
 * A `completed` that overtakes its `answered` still means the call was answered for `duration`
 * seconds: both facts are recorded, so calls connects and then ends it.
 */
const finishUnanswered = (s: Live, c: RecordCarrierStatus): CarrierLegEvent[] => {
  if (c.status === 'completed') {
    const duration = c.duration ?? 0;
    if (duration <= 0) return [failed(s, c, 'failed')];
    return [
      answered(s, c, new Date(Date.parse(c.now) - duration * 1000).toISOString()),
      ended(s, c, 'remote', duration),
    ];
  }
  return [failed(s, c, c.status === 'busy' || c.status === 'no_answer' ? c.status : 'failed')];
};

const recordStatus = (c: RecordCarrierStatus, s: Live): CarrierLegEvent[] => {
  if (s.status !== 'requested' && s.carrierCallId !== c.carrierCallId) return []; // another carrier call's callback
  if (progressOfStatus[c.status] <= progressOf(s)) return []; // a duplicate, or overtaken by a later status
  if (c.status === 'ringing')
    return [{ type: 'CarrierLegRinging', data: { callId: s.callId, legId: s.legId, carrierCallId: c.carrierCallId } }];
  if (c.status === 'answered') return [answered(s, c, c.now)];
  return s.status === 'answered' ? finishAnswered(s, c) : finishUnanswered(s, c);
};

const releaseLeg = (c: ReleaseLeg, s: Live): CarrierLegEvent[] => {
  const carrierCallId = s.status === 'requested' ? null : s.carrierCallId;
  const duration = s.status === 'answered' ? secondsBetween(s.answeredAt, c.now) : 0;
  return [ended(s, { now: c.now, carrierCallId }, 'local', duration)];
};

/**
 * What a carrier callback or our own release does to a leg. Callbacks are repeated and
 * reordered by carriers: one that would not move the leg forward changes nothing, and
 * nothing moves a leg out of a final state.
 */
export const decideLeg = (command: CarrierLegCommand, state: CarrierLegState): CarrierLegEvent[] => {
  if (state.status === 'idle') throw new CarrierLegError('leg_not_found', `leg ${command.legId} was never requested`);
  if (isLegFinal(state)) return [];
  switch (command.type) {
    case 'RecordCarrierStatus':
      return recordStatus(command, state);
    case 'ReleaseLeg':
      return releaseLeg(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown leg command ${(unknown as CarrierLegCommand).type}`);
    }
  }
};

/** The carrier leg as one decider value, for an event-sourced command handler. */
export const carrierLegDecider = { decide: decideLeg, evolve: evolveLeg, initialState: initialLegState };
