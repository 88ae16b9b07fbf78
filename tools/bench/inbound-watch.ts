import { Headers, Topics } from '@homeline/contracts';
import { Kafka, logLevel, type Consumer } from 'kafkajs';

/** What the bench has read of one inbound call, each moment as this process saw it (ms since the epoch). */
export interface InboundTrack {
  /** Each device's DeviceRingRequested on homeline.routing.v1: when it was read (what the device cloud would see). */
  readonly rings: Map<string, number>;
  /** calls' CallOffered: calls has opened the call, so an answer is taken. */
  openedAt?: number;
  connected?: { readonly occurredAt: number; readonly seenAt: number; readonly deviceId: string };
  /** The first refusal, decline or end before any connection, with its reason. */
  stopped?: { readonly type: string; readonly reason: string };
  endedAt?: number;
}

export interface InboundWatch {
  track(callId: string): InboundTrack;
  /** Resolves true once `done` holds for the call, false after `timeoutMs`. */
  until(callId: string, done: (t: InboundTrack) => boolean, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

interface Message { readonly data: { callId: string; deviceId?: string; reason?: string; cause?: string }; readonly occurredAt: string }

const watched = new Set(['DeviceRingRequested', 'InboundCallDeclined', 'CallOffered', 'CallConnected', 'CallAnswerRefused', 'CallFailed', 'CallRejected', 'CallEnded']);

/** Applies one event to its call's track. */
function record(t: InboundTrack, type: string, m: Message, seenAt: number): void {
  const why = m.data.reason ?? m.data.cause ?? '';
  if (type === 'DeviceRingRequested' && m.data.deviceId && !t.rings.has(m.data.deviceId)) t.rings.set(m.data.deviceId, seenAt);
  else if (type === 'CallOffered') t.openedAt ??= seenAt;
  else if (type === 'CallConnected') t.connected ??= { occurredAt: Date.parse(m.occurredAt), seenAt, deviceId: m.data.deviceId ?? '' };
  else if (type === 'CallEnded') t.endedAt ??= seenAt;
  if (type !== 'DeviceRingRequested' && type !== 'CallOffered' && type !== 'CallConnected' && !t.connected) t.stopped ??= { type, reason: why };
}

/**
 * Reads routing's and calls' topics as the device cloud and an observer would, from the moment it
 * has joined its (fresh) consumer group: rings, the call opened, connected, refused or over.
 */
export async function watchInbound(brokers: string): Promise<InboundWatch> {
  const tracks = new Map<string, InboundTrack>();
  const waiters = new Map<string, Set<() => void>>();
  const track = (callId: string) => {
    let t = tracks.get(callId);
    if (!t) tracks.set(callId, (t = { rings: new Map() }));
    return t;
  };
  const consumer: Consumer = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).consumer({ groupId: `bench-inbound-${Date.now()}`, maxWaitTimeInMs: 100 });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topics: [Topics.routing, Topics.calls], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const type = message.headers?.[Headers.eventType]?.toString() ?? '';
      if (!watched.has(type)) return;
      const m = JSON.parse(String(message.value)) as Message;
      record(track(m.data.callId), type, m, Date.now());
      for (const wake of waiters.get(m.data.callId) ?? []) wake();
    },
  });
  await joined;
  return {
    track,
    until: (callId, done, timeoutMs) =>
      new Promise<boolean>((resolve) => {
        if (done(track(callId))) return resolve(true);
        const set = waiters.get(callId) ?? new Set();
        waiters.set(callId, set);
        const finish = (ok: boolean) => {
          clearTimeout(timer);
          set.delete(check);
          if (set.size === 0) waiters.delete(callId);
          resolve(ok);
        };
        const check = () => done(track(callId)) && finish(true);
        const timer = setTimeout(() => finish(false), timeoutMs);
        set.add(check);
      }),
    stop: () => consumer.disconnect(),
  };
}
