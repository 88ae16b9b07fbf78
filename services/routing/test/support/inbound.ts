import { randomInt, randomUUID } from 'node:crypto';
import type { EndCause, Envelope, EventData, EventType } from '@homeline/contracts';
import type { CarrierStatusCallback } from '../../src/application/carrier.port';
import { carrierSignatureHeader, signCarrierPayload } from '../../src/edges/carrier-signature';
import { envelope } from './envelopes';
import { webhookSecret } from './routing-harness';

/** A line no other household of the test has: routing finds the account by it. */
export const freshLine = (): string => `+1555${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;

/** POSTs a carrier webhook body to routing, signed as the carrier signs (or with another secret, or at another time). */
export const postSigned = (
  url: string,
  body: unknown,
  options: { secret?: string; signedAt?: number } = {},
): Promise<Response> => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const signedAt = options.signedAt ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [carrierSignatureHeader]: signCarrierPayload(options.secret ?? webhookSecret, text, signedAt),
    },
    body: text,
  });
};

export interface InboundBody {
  readonly carrierCallId: string;
  readonly from: string;
  readonly to: string;
  readonly sensitive?: boolean;
}

/** The carrier offers a call: POST /v1/carrier/inbound. */
export const offerCall = (baseUrl: string, body: InboundBody, options?: { secret?: string }): Promise<Response> =>
  postSigned(`${baseUrl}/v1/carrier/inbound`, body, options);

/** The carrier offers a call and routing takes it: its callId. */
export const offeredCallId = async (baseUrl: string, body: InboundBody): Promise<string> => {
  const response = await offerCall(baseUrl, body);
  expect(response.status).toBe(202);
  return ((await response.json()) as { callId: string }).callId;
};

/** The carrier reports the caller hung up while it rang (status `canceled`, no legId). */
export const callerHungUp = (baseUrl: string, carrierCallId: string, sequence = 3, status: 'canceled' | 'completed' = 'canceled'): Promise<Response> => {
  const callback: CarrierStatusCallback = {
    carrierCallId,
    status,
    sequence,
    occurredAt: new Date().toISOString(),
  };
  return postSigned(`${baseUrl}/v1/carrier/status`, callback);
};

export const carrierCallId = (): string => `cc-in-${randomUUID()}`;

/** One of calls' events about an inbound call, as calls' relay publishes it (key: the call's stream). */
const ofCall = <T extends EventType>(type: T, accountId: string, data: EventData<T>, version: number): Envelope =>
  envelope(type, data, { source: 'calls', streamId: `call-${(data as { callId: string }).callId}`, accountId, correlationId: (data as { callId: string }).callId }, version);

const now = () => new Date().toISOString();

export const callsSays = {
  connected: (accountId: string, callId: string, deviceId: string) =>
    ofCall('CallConnected', accountId, { callId, memberId: 'mem-1', deviceId, e164: '+12125550142', connectedAt: now(), direction: 'inbound' }, 4),
  answerRefused: (accountId: string, callId: string, deviceId: string) =>
    ofCall('CallAnswerRefused', accountId, { callId, answerId: randomUUID(), deviceId, reason: 'not_permitted', refusedAt: now() }, 3),
  noAnswer: (accountId: string, callId: string) =>
    ofCall('CallFailed', accountId, { callId, reason: 'no_answer', failedAt: now() }, 3),
  ended: (accountId: string, callId: string, cause: EndCause) =>
    ofCall('CallEnded', accountId, { callId, duration: 0, cause, endedAt: now() }, 5),
  rejected: (accountId: string, callId: string) =>
    ofCall('CallRejected', accountId, { callId, reason: 'away_mode', rejectedAt: now() }, 2),
};
