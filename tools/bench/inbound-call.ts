import { HttpProblem, type RunningSystem } from '@homeline/system';
import type { InboundHousehold } from './inbound-households';
import type { InboundTrack, InboundWatch } from './inbound-watch';

/** One inbound call's life as the bench saw it; times in ms since the epoch, on this process's clock. */
export interface InboundCallRecord {
  readonly home: InboundHousehold;
  /** Just before the caller dialled (POST /sim/inbound to the carrier simulator). */
  readonly offeredAt: number;
  /** The carrier simulator's POST /v1/carrier/inbound answered (routing's 202 relayed back). */
  offerAnsweredAt?: number;
  callId?: string;
  /** The last of the household's devices' DeviceRingRequested read from homeline.routing.v1. */
  allRingingAt?: number;
  /** calls' CallOffered read: from here an answer is taken. */
  openedAt?: number;
  /** Just before POST /v1/calls/:id/answer. */
  answeredAt?: number;
  /** CallConnected: occurredAt (written by calls) and when it was read. */
  connectedAt?: number;
  connectedSeenAt?: number;
  /** connected, or what happened instead (offer_<status>, not_ringing, answer_<code>, a refusal, a timeout). */
  outcome: string;
}

const caller = '+12125550142';

const ringing = (home: InboundHousehold) => (t: InboundTrack) =>
  (t.rings.size >= home.devices.length && t.openedAt !== undefined) || t.stopped !== undefined;

const settled = (t: InboundTrack) => t.connected !== undefined || t.stopped !== undefined;

/**
 * A caller dials the household through the carrier simulator; once every speaker rings (and calls has
 * the call), the owner says "Alexa, answer" on the first speaker, as soon as it rings; the call is
 * followed until it is connected or refused. Left connected: the run hangs up every call at its end.
 */
export async function inboundCall(system: RunningSystem, watch: InboundWatch, home: InboundHousehold, timeoutMs: number): Promise<InboundCallRecord> {
  const r: InboundCallRecord = { home, offeredAt: Date.now(), outcome: 'pending' };
  try {
    const offered = await system.carrier.offerInbound({ from: caller, to: home.msisdn });
    r.offerAnsweredAt = Date.now();
    if (offered.routing.status !== 202) return { ...r, outcome: `offer_${offered.routing.status}` };
    const callId = String((offered.routing.body as { callId: string }).callId);
    r.callId = callId;
    const rang = await watch.until(callId, ringing(home), timeoutMs);
    const t = watch.track(callId);
    if (t.rings.size >= home.devices.length) r.allRingingAt = Math.max(...t.rings.values());
    r.openedAt = t.openedAt;
    if (t.stopped) return { ...r, outcome: `${t.stopped.type}:${t.stopped.reason}` };
    if (!rang) return { ...r, outcome: `not_ringing(${t.rings.size} rang${t.openedAt ? '' : ', not opened'})` };

    const [speaker] = home.devices;
    const voice = speaker.assert({ purpose: 'answer-call', subject: callId, embedding: home.owner.voice.utter() });
    r.answeredAt = Date.now();
    await system.client.answerCall(callId, { deviceId: speaker.deviceId, voice });
    const done = await watch.until(callId, settled, timeoutMs);
    if (t.connected) return { ...r, connectedAt: t.connected.occurredAt, connectedSeenAt: t.connected.seenAt, outcome: 'connected' };
    return { ...r, outcome: done ? `${t.stopped!.type}:${t.stopped!.reason}` : 'answer_timeout' };
  } catch (error) {
    const outcome = error instanceof HttpProblem ? `http_${error.status}_${String(error.body.code ?? '')}` : `error:${(error as Error).message.slice(0, 80)}`;
    return { ...r, outcome };
  }
}
