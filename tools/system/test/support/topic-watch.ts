import { randomUUID } from 'node:crypto';
import { Topics, type Envelope } from '@homeline/contracts';
import type { SimulatedDevice } from '@homeline/device-sim';
import { eventually } from '@homeline/testing';
import type { Admin, Consumer } from 'kafkajs';
import type { RunningSystem } from '../../src/running-system';

/** One message read off a topic, where it was read. */
export interface Seen {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly event: Envelope;
}

/**
 * What identity and routing publish, read from the broker as the device cloud reads it (the
 * admin's SASL client, a group of its own, from the beginning), and where the services' own
 * consumer groups have got to: an InboxConsumer commits an offset only after the event's effect
 * was committed, so a group past an event has applied it.
 */
export class TopicWatch {
  private readonly seen: Seen[] = [];

  private constructor(private readonly consumer: Consumer, private readonly admin: Admin) {}

  static async start(system: RunningSystem): Promise<TopicWatch> {
    const consumer = system.kafka.client().consumer({ groupId: `inbound-e2e-${randomUUID()}`, maxWaitTimeInMs: 100 });
    const admin = system.kafka.client().admin();
    await Promise.all([consumer.connect(), admin.connect()]);
    await consumer.subscribe({ topics: [Topics.identity, Topics.routing], fromBeginning: true });
    const watch = new TopicWatch(consumer, admin);
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        try {
          watch.seen.push({ topic, partition, offset: message.offset, event: JSON.parse(String(message.value)) as Envelope });
        } catch {
          // not an envelope (another test's garbage): nothing a device would act on
        }
      },
    });
    return watch;
  }

  stop(): Promise<void> {
    return Promise.all([this.consumer.disconnect(), this.admin.disconnect()]).then(() => undefined);
  }

  /** Every event about `callId` on homeline.routing.v1 read so far, in stream order. */
  routingEventsOf(callId: string): Envelope[] {
    return this.seen
      .filter((s) => s.topic === Topics.routing && s.event.streamId === `inbound-${callId}`)
      .map((s) => s.event)
      .sort((a, b) => a.streamVersion - b.streamVersion);
  }

  /** The answer decisions (AnswerAuthorized / AnswerRefused) identity published for `callId` so far. */
  answerDecisionsOf(callId: string): Envelope[] {
    return this.seen
      .filter((s) => s.topic === Topics.identity && s.event.data.callId === callId && s.event.type.startsWith('Answer'))
      .map((s) => s.event);
  }

  /**
   * The routing events of `callId` once `done` holds for them. The call's stream is read without a
   * gap, from its first event (the offer) on, so what is absent from it was never published before its last event.
   */
  async routingEventsUntil(callId: string, done: (events: Envelope[]) => boolean, timeoutMs = 20_000): Promise<Envelope[]> {
    return eventually(() => {
      const events = this.routingEventsOf(callId);
      expect(events[0]?.type).toBe('InboundCallOffered');
      expect(events.map((e) => e.streamVersion)).toEqual(events.map((_, i) => events[0].streamVersion + i));
      if (!done(events)) throw new Error(`routing events of ${callId} so far: ${events.map((e) => e.type).join(', ')}`);
      return events;
    }, { timeoutMs });
  }

  /** The last identity event of the account of `type` (whose data `matches`), once it was published. */
  async identityEvent(accountId: string, type: string, matches: (data: Record<string, unknown>) => boolean = () => true): Promise<Seen> {
    return eventually(() => {
      const found = this.seen
        .filter((s) => s.topic === Topics.identity && s.event.data.accountId === accountId && s.event.type === type && matches(s.event.data))
        .pop();
      if (!found) throw new Error(`no ${type} of ${accountId} on ${Topics.identity} yet`);
      return found;
    });
  }

  /** Waits until the consumer group `groupId` has committed past `seen`: its effect is in that service's database. */
  async consumedBy(groupId: string, seen: Seen): Promise<void> {
    await eventually(async () => {
      const [topic] = await this.admin.fetchOffsets({ groupId, topics: [seen.topic] });
      const committed = topic?.partitions.find((p) => p.partition === seen.partition)?.offset ?? '-1';
      expect({ groupId, committed: BigInt(committed) > BigInt(seen.offset) }).toEqual({ groupId, committed: true });
    }, { timeoutMs: 30_000, intervalMs: 200 });
  }

  /** Routing (who rings devices and applies Away Mode and quiet hours) and calls have both read this identity event. */
  async projected(accountId: string, type: string, matches?: (data: Record<string, unknown>) => boolean): Promise<void> {
    const seen = await this.identityEvent(accountId, type, matches);
    await Promise.all([this.consumedBy('homeline-routing.identity', seen), this.consumedBy('homeline-calls', seen)]);
  }
}

type RingCancellation = 'answered_elsewhere' | 'caller_hung_up' | 'no_answer' | 'call_ended';

/** [deviceId, reason] of every DeviceRingCancelled among `events`, sorted. */
export const cancellations = (events: readonly Envelope[]): string[][] =>
  events
    .filter((e) => e.type === 'DeviceRingCancelled')
    .map((e) => [String(e.data.deviceId), String(e.data.reason)])
    .sort();

export const each = (devices: readonly SimulatedDevice[], reason: RingCancellation): string[][] => devices.map((d) => [d.deviceId, reason]).sort();
