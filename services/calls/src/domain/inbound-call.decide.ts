import { releaseCodesOf, type AnswerRefusalReason } from '@homeline/contracts';
import { CallError } from './call.errors';
import type { ExpireDeadline, HangUp } from './call.commands';
import { after, type CallTimeouts } from './call-timeouts';
import type { InboundCallEvent, InboundCallState, InboundRinging } from './inbound-call';
import type {
  DeclineCall, InboundCallCommand, OfferCall, RecordAnswerAuthorized, RecordAnswerRefused, RequestAnswer,
} from './inbound-call.commands';

const isFinalInbound = (s: InboundCallState) => s.status === 'ended' || s.status === 'rejected' || s.status === 'failed';

const offerCall = (c: OfferCall, t: CallTimeouts): InboundCallEvent[] => [
  {
    type: 'CallOffered',
    data: {
      callId: c.callId, accountId: c.accountId, from: c.from, callerName: c.callerName, fromContact: c.fromContact,
      sensitive: c.sensitive, ...(c.emergencyCallback ? { emergencyCallback: true } : {}), devices: [...c.devices], offeredAt: c.now, deadline: after(c.now, t.ringMs),
    },
  },
];

const refuse = (s: InboundCallState, answer: { answerId: string; deviceId: string }, reason: AnswerRefusalReason, now: string): InboundCallEvent[] => [
  { type: 'CallAnswerRefused', data: { callId: s.callId, answerId: answer.answerId, deviceId: answer.deviceId, reason, refusedAt: now } },
];

/** Who may still answer: a device asked to ring that has not been cancelled. A refused device may try again (another voice). */
const mayAnswer = (s: InboundRinging, deviceId: string) => s.devices.some((d) => d.deviceId === deviceId && (d.state === 'ringing' || d.state === 'refused'));

/** A device's answer is taken to identity only while the call rings; otherwise the request is refused at once. */
const requestAnswer = (c: RequestAnswer, s: InboundCallState): InboundCallEvent[] => {
  if (s.status === 'connected') throw new CallError('already_answered', `call ${s.callId} was answered on another device`);
  if (isFinalInbound(s)) throw new CallError('call_ended', `call ${s.callId} has ended`);
  if (!mayAnswer(s as InboundRinging, c.deviceId)) throw new CallError('not_ringing', `device ${c.deviceId} is not ringing for call ${s.callId}`);
  const { callId, accountId, from, fromContact, sensitive, emergencyCallback } = s;
  const data = { callId, answerId: c.answerId, accountId, deviceId: c.deviceId, voice: c.voice, requestedAt: c.now, from, fromContact, sensitive };
  return [{ type: 'AnswerRequested', data: emergencyCallback ? { ...data, emergencyCallback } : data }];
};

/** The first authorized answer wins; any later one, even from the same millisecond, is refused. */
const recordAuthorized = (c: RecordAnswerAuthorized, s: InboundCallState): InboundCallEvent[] => {
  if (s.status === 'connected') return s.deviceId === c.deviceId && s.memberId === c.memberId ? [] : refuse(s, c, 'already_answered', c.now);
  if (isFinalInbound(s)) return refuse(s, c, 'call_ended', c.now);
  return [{ type: 'CallConnected', data: { callId: s.callId, memberId: c.memberId, deviceId: c.deviceId, e164: s.from, connectedAt: c.now, direction: 'inbound' } }];
};

const recordRefused = (c: RecordAnswerRefused, s: InboundCallState): InboundCallEvent[] =>
  s.status === 'ringing' ? refuse(s, c, c.reason, c.now) : [];

const declineCall = (c: DeclineCall, s: InboundCallState): InboundCallEvent[] =>
  s.status === 'ringing' ? [{ type: 'CallRejected', data: { callId: s.callId, reason: c.reason, rejectedAt: c.now } }] : [];

const hangUp = (c: HangUp, s: InboundCallState): InboundCallEvent[] => {
  if (s.status === 'connected') {
    const duration = Math.max(0, (Date.parse(c.now) - Date.parse(s.connectedAt)) / 1000);
    return [{ type: 'CallEnded', data: { callId: s.callId, duration, cause: c.by === 'caller' ? 'hung_up' : 'remote_hung_up', endedAt: c.now, ...releaseCodesOf(c) } }];
  }
  if (s.status !== 'ringing') return [];
  // While ringing, the caller is the far end: their hang-up is the carrier's `canceled`.
  return [{ type: 'CallEnded', data: { callId: s.callId, duration: 0, cause: c.by === 'remote' ? 'caller_hung_up' : 'cancelled', endedAt: c.now, ...releaseCodesOf(c) } }];
};

const expire = (c: ExpireDeadline, s: InboundCallState): InboundCallEvent[] =>
  s.status === 'ringing' && Date.parse(c.now) >= Date.parse(s.deadline)
    ? [{ type: 'CallFailed', data: { callId: s.callId, reason: 'no_answer', failedAt: c.now } }]
    : [];

/**
 * What happens when a command meets an inbound call. As for outbound calls, messages may be late,
 * repeated or out of order: a command that no longer fits decides nothing, and nothing moves a
 * call out of a final state — except that an answer after the end is refused out loud.
 */
export const decideInbound = (
  command: InboundCallCommand | HangUp | ExpireDeadline,
  state: InboundCallState | undefined,
  timeouts: CallTimeouts,
): InboundCallEvent[] => {
  if (command.type === 'OfferCall') return state ? [] : offerCall(command, timeouts); // a repeated offer opens nothing twice
  if (!state) throw new CallError('call_not_found', `call ${command.callId} does not exist`);
  switch (command.type) {
    case 'RequestAnswer':
      return requestAnswer(command, state);
    case 'RecordAnswerAuthorized':
      return recordAuthorized(command, state);
    case 'RecordAnswerRefused':
      return recordRefused(command, state);
    case 'DeclineCall':
      return declineCall(command, state);
    case 'HangUp':
      return hangUp(command, state);
    case 'ExpireDeadline':
      return expire(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown inbound call command ${(unknown as InboundCallCommand).type}`);
    }
  }
};
