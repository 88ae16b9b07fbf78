import type { HomelineClient } from './homeline-client';
import { spokenRequest, type Household } from './household';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Places "call Mom" from the owner at `perSecond` for `seconds`, and resolves with the ids of the
 * calls that got their 202. Refused or failed POSTs (a service down) are counted, not thrown.
 */
export async function placeCallsAtRate(
  client: HomelineClient,
  home: Household,
  perSecond: number,
  seconds: number,
): Promise<{ accepted: string[]; refused: number }> {
  const accepted: string[] = [];
  let refused = 0;
  const started = Date.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < perSecond * seconds; i++) {
    const wait = started + (i * 1000) / perSecond - Date.now();
    if (wait > 0) await sleep(wait);
    inflight.push(
      client.placeCall(spokenRequest(home, home.members.Alex.voice, 'Mom')).then(
        ({ callId }) => void accepted.push(callId),
        () => void refused++,
      ),
    );
  }
  await Promise.all(inflight);
  return { accepted, refused };
}

/**
 * Waits for each call to end up final (a connected call is hung up, so it ends), and returns the
 * calls as they finished. Calls that cannot be read (a service still restarting) are retried.
 */
export async function settleCalls(client: HomelineClient, callIds: readonly string[], timeoutMs = 90_000) {
  const until = Date.now() + timeoutMs;
  const settled = [];
  for (const callId of callIds) {
    for (;;) {
      const call = await client.getCall(callId).catch(() => null);
      if (call?.status === 'connected') await client.hangUp(callId).catch(() => undefined);
      else if (call && ['ended', 'rejected', 'failed'].includes(call.status)) {
        settled.push(call);
        break;
      }
      if (Date.now() > until) throw new Error(`call ${callId} not final after ${timeoutMs} ms: ${JSON.stringify(call)}`);
      await sleep(50);
    }
  }
  return settled;
}
