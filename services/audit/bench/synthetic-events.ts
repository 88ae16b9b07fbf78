import type { Envelope } from '@homeline/contracts';

/**
 * Events shaped like the call path's (a call's request with a voice assertion, its routing, its
 * connection and end), with personal data in them, for 1,000 households: deterministic, so a run
 * can be compared with another.
 */
const uuid = (n: number, salt: number) => `${(n >>> 0).toString(16).padStart(8, '0')}-0000-4000-8000-${(salt >>> 0).toString(16).padStart(12, '0')}`;
const embedding = Array.from({ length: 192 }, (_, i) => Math.round(Math.sin(i) * 1e6) / 1e6);

export const syntheticEvents = (from: number, count: number): Envelope[] =>
  Array.from({ length: count }, (_, k) => {
    const n = from + k;
    const call = Math.floor(n / 4);
    const account = uuid(call % 1000, 1);
    const callId = uuid(call, 2);
    const deviceId = `kitchen-${call % 1000}`;
    const base = { id: uuid(n, 3), source: 'calls' as const, streamId: `call-${callId}`, streamVersion: (n % 4) + 1, occurredAt: new Date(1_795_000_000_000 + n).toISOString(), correlationId: callId, causationId: null };
    switch (n % 4) {
      case 0:
        return { ...base, type: 'CallRequested', accountId: null, data: { callId, direction: 'outbound', deviceId, target: 'Mom', requestedAt: base.occurredAt, deadline: base.occurredAt, voice: { deviceId, purpose: 'place-call', subject: 'Mom', nonce: uuid(n, 4), issuedAt: base.occurredAt, liveness: 0.93, embedding, signature: 'c2lnbmF0dXJl' } } };
      case 1:
        return { ...base, type: 'DestinationResolved', source: 'routing', accountId: account, data: { callId, accountId: account, class: 'domestic', e164: '+15550100001', viaContact: { contactId: uuid(call % 1000, 5), name: 'Mom', household: false } } };
      case 2:
        return { ...base, type: 'CallConnected', accountId: account, data: { callId, memberId: uuid(call % 1000, 6), deviceId, e164: '+15550100001', connectedAt: base.occurredAt } };
      default:
        return { ...base, type: 'CallEnded', accountId: account, data: { callId, duration: 42, cause: 'hung_up', endedAt: base.occurredAt } };
    }
  });
