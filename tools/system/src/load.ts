import type { HomelineClient } from './homeline-client';
import { spokenRequest, type Household } from './household';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A run of calls placed at a fixed rate: what has been accepted so far, and its end. */
export interface LoadRun {
  /** Resolves once `count` calls have had their 202: a kill after it happens under load, by proof and not by a guess of time. */
  accepted(count: number): Promise<void>;
  /** The ids of the calls that got their 202, and how many POSTs were refused or failed. */
  readonly done: Promise<{ accepted: string[]; refused: number }>;
}

/**
 * Places "call Mom" from the owner at `perSecond` for `seconds`. Refused or failed POSTs (a service
 * down) are counted, not thrown.
 */
export function placeCallsAtRate(client: HomelineClient, home: Household, perSecond: number, seconds: number): LoadRun {
  const accepted: string[] = [];
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  let refused = 0;
  const run = async () => {
    const started = Date.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < perSecond * seconds; i++) {
      const wait = started + (i * 1000) / perSecond - Date.now();
      if (wait > 0) await sleep(wait);
      inflight.push(
        client.placeCall(spokenRequest(home, home.members.Alex.voice, 'Mom')).then(
          ({ callId }) => {
            accepted.push(callId);
            for (const w of waiting.filter((w) => accepted.length >= w.count)) w.resolve();
          },
          () => void refused++,
        ),
      );
    }
    await Promise.all(inflight);
    return { accepted, refused };
  };
  const done = run();
  return {
    done,
    accepted: (count) =>
      new Promise<void>((resolve, reject) => {
        if (accepted.length >= count) return resolve();
        waiting.push({ count, resolve });
        void done.then(() => reject(new Error(`the load ended with ${accepted.length} calls accepted, not the ${count} awaited`)));
      }),
  };
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
