import type { VoiceAssertion } from '@homeline/contracts';
import type { CallEvent } from './call.events';

type Of<T extends CallEvent['type']> = Extract<CallEvent, { type: T }>;

/** A call's history at fixed times, for specifications. Deadlines follow defaultCallTimeouts. */
export const callId = 'call-1';
export const t0 = '2026-11-24T18:00:00.000Z';
export const at = (seconds: number): string => new Date(Date.parse(t0) + seconds * 1000).toISOString();

export const voice: VoiceAssertion = {
  deviceId: 'kitchen',
  purpose: 'place-call',
  subject: 'Mom',
  nonce: 'nonce-0001',
  issuedAt: t0,
  liveness: 0.97,
  embedding: [0.1, 0.2],
  signature: 'c2lnbmF0dXJl',
};

export const requested: Of<'CallRequested'> = {
  type: 'CallRequested',
  data: { callId, direction: 'outbound', deviceId: 'kitchen', target: 'Mom', voice, requestedAt: t0, deadline: at(5) },
};
export const routing: Of<'CallRouting'> = {
  type: 'CallRouting',
  data: {
    callId,
    accountId: 'acc-1',
    deviceId: 'kitchen',
    target: 'Mom',
    verified: true,
    memberId: 'alice',
    assurance: 'high',
    speakerRejection: null,
    deadline: at(6),
  },
};
export const routed: Of<'CallRouted'> = {
  type: 'CallRouted',
  data: { callId, class: 'domestic', e164: '+15550100001', deadline: at(12) },
};
export const ringing: Of<'CallRinging'> = { type: 'CallRinging', data: { callId, deadline: at(48) } };
export const connected: Of<'CallConnected'> = {
  type: 'CallConnected',
  data: { callId, memberId: 'alice', deviceId: 'kitchen', e164: '+15550100001', direction: 'outbound', connectedAt: at(5) },
};
