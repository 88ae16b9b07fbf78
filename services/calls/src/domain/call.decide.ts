import { mayBeEmergencyTarget, releaseCodesOf, type Assurance, type RejectionReason, type SpeakerRejectionReason } from '@homeline/contracts';
import {
  evolve,
  initialCallState,
  isFinal,
  type CallState,
  type Connected,
  type Ringing,
  type Routing,
  type Verifying,
} from './call';
import type {
  CallCommand,
  ConnectCall,
  ExpireDeadline,
  FailCall,
  HangUp,
  RecordRejection,
  RecordRinging,
  RecordRouting,
  RecordVerification,
  RequestCall,
} from './call.commands';
import { CallError } from './call.errors';
import type { CallEvent } from './call.events';
import { after, defaultCallTimeouts, type CallTimeouts } from './call-timeouts';

/**
 * Identity reasons that only say "we do not know who is speaking". A call refused for one of
 * them still goes to routing, which places it only if the target is an emergency number.
 * Device-trust failures (bad signature, unlinked device, replay, stale, mismatch) do not: an
 * emergency call still needs a request a linked device really made.
 */
const speakerOnlyReasons: readonly RejectionReason[] = ['speaker_not_verified', 'low_liveness', 'ambiguous_speaker'];
const isSpeakerOnly = (reason: RejectionReason): reason is SpeakerRejectionReason =>
  speakerOnlyReasons.includes(reason);

type Live = Verifying | Routing | Ringing | Connected;
type PreConnect = Verifying | Routing | Ringing;

const requestCall = (c: RequestCall, t: CallTimeouts): CallEvent[] => {
  const requested: CallEvent = {
    type: 'CallRequested',
    data: {
      callId: c.callId,
      direction: 'outbound',
      deviceId: c.deviceId,
      target: c.target,
      voice: c.voice,
      requestedAt: c.now,
      deadline: after(c.now, t.verificationMs),
    },
  };
  if (!c.emergency) return [requested];
  // Identity still verifies the speaker (its answer is recorded, not waited for).
  const verifying = evolve(initialCallState, requested) as Verifying;
  const routing = { now: c.now, accountId: c.emergency.accountId, memberId: null, assurance: null, speakerRejection: null };
  return [requested, ...routeCall(verifying, routing, t)];
};

interface RoutingDecision {
  readonly now: string;
  readonly accountId: string;
  readonly memberId: string | null;
  readonly assurance: Assurance | null;
  readonly speakerRejection: SpeakerRejectionReason | null;
}

const routeCall = (s: Verifying, c: RoutingDecision, t: CallTimeouts): CallEvent[] => [
  {
    type: 'CallRouting',
    data: {
      callId: s.callId,
      accountId: c.accountId,
      deviceId: s.deviceId,
      target: s.target,
      verified: c.memberId !== null,
      memberId: c.memberId,
      assurance: c.assurance,
      speakerRejection: c.speakerRejection,
      deadline: after(c.now, mayBeEmergencyTarget(s.target) ? t.emergencySetupMs : t.routingMs),
    },
  },
];

const recordVerification = (c: RecordVerification, s: Live, t: CallTimeouts): CallEvent[] =>
  s.status === 'verifying'
    ? routeCall(
        s,
        { now: c.now, accountId: c.accountId, memberId: c.memberId, assurance: c.assurance, speakerRejection: null },
        t,
      )
    : [];

const reject = (s: Live, c: RecordRejection): CallEvent[] => [
  { type: 'CallRejected', data: { callId: s.callId, reason: c.reason, rejectedAt: c.now } },
];

const recordRejection = (c: RecordRejection, s: Live, t: CallTimeouts): CallEvent[] => {
  if (c.by === 'identity' && s.status === 'verifying') {
    if (!isSpeakerOnly(c.reason) || !c.accountId) return reject(s, c);
    return routeCall(
      s,
      { now: c.now, accountId: c.accountId, memberId: null, assurance: null, speakerRejection: c.reason },
      t,
    );
  }
  if (c.by === 'routing' && s.status === 'routing' && s.destination === null) return reject(s, c);
  return [];
};

const recordRouting = (c: RecordRouting, s: Live, t: CallTimeouts): CallEvent[] =>
  s.status === 'routing' && s.destination === null
    ? [
        {
          type: 'CallRouted',
          data: { callId: s.callId, class: c.class, e164: c.e164, deadline: after(c.now, c.class === 'emergency' ? t.emergencySetupMs : t.ringingMs) },
        },
      ]
    : [];

const recordRinging = (c: RecordRinging, s: Live, t: CallTimeouts): CallEvent[] =>
  s.status === 'routing' && s.destination !== null
    ? [{ type: 'CallRinging', data: { callId: s.callId, deadline: after(c.now, s.destination.class === 'emergency' ? t.emergencyAnswerMs : t.answerMs) } }]
    : [];

/** An answer may overtake the ringing callback; it connects a routed call either way. */
const connectCall = (c: ConnectCall, s: Live): CallEvent[] => {
  if ((s.status !== 'ringing' && s.status !== 'routing') || !s.destination) return [];
  const data = {
    callId: s.callId,
    memberId: s.memberId,
    deviceId: s.deviceId,
    e164: s.destination.e164,
    direction: 'outbound' as const,
    connectedAt: c.now,
  };
  return [{ type: 'CallConnected', data }];
};

/** Times an emergency call's failed leg is dialled again before the call fails: three tries in all. */
export const emergencyRedials = 2;

/**
 * A failed carrier leg fails the call, but for an emergency call, which is dialled again (twice
 * at most, each try with the emergency setup time to ring): a busy or failing line to the
 * emergency services is tried again rather than given up (docs/architecture.md section 1).
 */
const failCall = (c: FailCall, s: Live, t: CallTimeouts): CallEvent[] => {
  if (s.status === 'connected') return [];
  if ((s.status === 'routing' || s.status === 'ringing') && s.destination?.class === 'emergency' && (s.redials ?? 0) < emergencyRedials) {
    return [
      {
        type: 'EmergencyRedialRequested',
        data: { callId: s.callId, attempt: (s.redials ?? 0) + 1, reason: c.reason, sipCode: c.sipCode, q850: c.q850, deadline: after(c.now, t.emergencySetupMs) },
      },
    ];
  }
  return [
    {
      type: 'CallFailed',
      data: { callId: s.callId, reason: c.reason, sipCode: c.sipCode, q850: c.q850, failedAt: c.now },
    },
  ];
};

const hangUp = (c: HangUp, s: Live): CallEvent[] => {
  if (s.status === 'connected') {
    const duration = Math.max(0, (Date.parse(c.now) - Date.parse(s.connectedAt)) / 1000);
    return [
      {
        type: 'CallEnded',
        data: { callId: s.callId, duration, cause: c.by === 'caller' ? 'hung_up' : 'remote_hung_up', endedAt: c.now, ...releaseCodesOf(c) },
      },
    ];
  }
  if (c.by === 'caller')
    return [{ type: 'CallEnded', data: { callId: s.callId, duration: 0, cause: 'cancelled', endedAt: c.now } }];
  // The far end released a leg that never answered: the carrier gave up on it.
  return [{ type: 'CallFailed', data: { callId: s.callId, reason: 'carrier_failed', ...releaseCodesOf(c), failedAt: c.now } }];
};

const stageOf = (s: PreConnect) =>
  s.status === 'verifying'
    ? 'verification'
    : s.status === 'ringing'
      ? 'answer'
      : s.destination === null
        ? 'routing'
        : 'ringing';

const expireDeadline = (c: ExpireDeadline, s: Live): CallEvent[] => {
  if (s.status === 'connected' || Date.parse(c.now) < Date.parse(s.deadline)) return [];
  return [{ type: 'CallFailed', data: { callId: s.callId, reason: 'timeout', stage: stageOf(s), failedAt: c.now } }];
};

const decideLive = (command: Exclude<CallCommand, RequestCall>, state: Live, t: CallTimeouts): CallEvent[] => {
  switch (command.type) {
    case 'RecordVerification':
      return recordVerification(command, state, t);
    case 'RecordRejection':
      return recordRejection(command, state, t);
    case 'RecordRouting':
      return recordRouting(command, state, t);
    case 'RecordRinging':
      return recordRinging(command, state, t);
    case 'ConnectCall':
      return connectCall(command, state);
    case 'FailCall':
      return failCall(command, state, t);
    case 'HangUp':
      return hangUp(command, state);
    case 'ExpireDeadline':
      return expireDeadline(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown call command ${(unknown as CallCommand).type}`);
    }
  }
};

/**
 * What happens when a command meets a call. Messages from the other services can be late,
 * repeated or out of order, so a command that no longer fits the call's stage decides nothing;
 * above all, nothing moves a call out of a final state.
 */
export const decide = (
  command: CallCommand,
  state: CallState,
  timeouts: CallTimeouts = defaultCallTimeouts,
): CallEvent[] => {
  if (command.type === 'RequestCall') {
    if (state.status !== 'idle') throw new CallError('call_already_exists', `call ${command.callId} already exists`);
    return requestCall(command, timeouts);
  }
  if (state.status === 'idle') throw new CallError('call_not_found', `call ${command.callId} does not exist`);
  if (isFinal(state)) return [];
  return decideLive(command, state, timeouts);
};
