import type { SimulatedDevice, SimulatedSpeaker } from '@homeline/device-sim';
import { HttpProblem, type CallView, type HomelineClient, type localCarrier } from '@homeline/system';

/** The carrier simulator `npm start` runs: it plays the caller. */
export type Carrier = ReturnType<typeof localCarrier>;

/** Where a placed call comes to rest for the demo: connected, or over. */
export const settled = ['connected', 'ended', 'rejected', 'failed'];

/** What `device` sends when `speaker` says "Alexa, call <target>". */
export const spokenOn = (device: SimulatedDevice, speaker: SimulatedSpeaker, target: string) => ({
  deviceId: device.deviceId,
  target,
  voice: device.assert({ subject: target, embedding: speaker.utter() }),
});

/** What `device` sends when `speaker` says "Alexa, answer" to a ringing call. */
export const answerOn = (device: SimulatedDevice, speaker: SimulatedSpeaker, callId: string) => ({
  deviceId: device.deviceId,
  voice: device.assert({ purpose: 'answer-call', subject: callId, embedding: speaker.utter() }),
});

export async function place(client: HomelineClient, request: Parameters<HomelineClient['placeCall']>[0]): Promise<CallView> {
  const { callId } = await client.placeCall(request);
  return client.waitForCall(callId, settled);
}

/**
 * Polls the call view until `ready` holds. An inbound call is opened by routing and reaches calls
 * over Kafka, so its view may answer 404 for a moment after the carrier's offer.
 */
export async function untilView(client: HomelineClient, callId: string, ready: (call: CallView) => boolean, what: string, timeoutMs = 20_000): Promise<CallView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const call = await client.getCall(callId).catch((error: unknown) => {
      if (error instanceof HttpProblem && error.status === 404) return undefined;
      throw error;
    });
    if (call && ready(call)) return call;
    if (Date.now() > until) throw new Error(`call ${callId}: no ${what} after ${timeoutMs} ms (now ${call ? JSON.stringify({ status: call.status, devices: call.devices }) : 'unknown to calls'})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The callId routing answered the carrier's inbound webhook with. */
export const inboundCallId = (offered: { routing: { status: number; body: unknown } }): string => {
  const body = offered.routing.body as { callId?: unknown } | null;
  if (offered.routing.status !== 202 || typeof body?.callId !== 'string') {
    throw new Error(`routing refused the inbound call: ${offered.routing.status} ${JSON.stringify(offered.routing.body)}`);
  }
  return body.callId;
};

/**
 * The carrier offers a call until routing decides it knowing what identity last said of the line.
 * Identity's changes (a contact, Away Mode) reach routing over Kafka a moment after identity
 * answered; a call offered before that is decided on the older line, so its caller hangs up and
 * dials again. `informed` says whether the decision shows the change.
 */
export async function offerOnceKnown(
  client: HomelineClient,
  carrier: Carrier,
  caller: { from: string; to: string },
  informed: (call: CallView) => boolean,
  attempts = 20,
) {
  for (let attempt = 1; ; attempt++) {
    const offered = await carrier.offerInbound(caller);
    const call = await untilView(client, inboundCallId(offered), (c) => c.status !== 'requested', 'decision on the offer');
    if (informed(call)) return { call, carrierCallId: offered.carrierCallId, earlierOffers: attempt - 1 };
    await carrier.hangUp(offered.carrierCallId);
    if (attempt === attempts) throw new Error(`after ${attempts} offers, routing still decides as before identity's change: ${JSON.stringify(call)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
