import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { IntegrationEvent } from '@homeline/contracts';
import { InboxConsumer, PoisonMessage, type ConsumedEvent } from '@homeline/event-store';
import { BackgroundStart, EventFlowMetrics, SERVICE_CONFIG, storeLogger } from '@homeline/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { SpeakerVerification } from '../application/speaker-verification';
import { answerCallVerification, placeCallVerification, type VerificationRequest } from '../application/verification-request';
import type { IdentityConfig } from '../config';

type Consumed = IntegrationEvent<'CallRequested' | 'AnswerRequested'>;

// A key longer than an index entry cannot be stored at all. (Text PostgreSQL cannot hold, a NUL or a
// lone surrogate, never gets here: the inbox dead-letters it for every consumer, as unstorable_text.)
const storable = (text: string): boolean => text.length <= 200;

/** The ids and the nonce a request's decision and replay guard store (stream id, nonce key, envelope). */
const storedTexts = (event: Consumed): string[] =>
  event.type === 'CallRequested'
    ? [event.data.callId, event.data.deviceId, event.data.voice.nonce]
    : [event.data.callId, event.data.answerId, event.data.accountId, event.data.deviceId, event.data.voice.nonce];

/**
 * A request whose ids or nonce could never be stored would fail its batch again on every retry,
 * holding up its partition: it is dead-lettered instead.
 */
const refuseUnstorable = ({ event }: ConsumedEvent<Consumed>): void => {
  if (!storedTexts(event).every(storable)) {
    throw new PoisonMessage('unstorable_text', event.id, 'an id or voice.nonce is over 200 characters');
  }
};

/** Outbound CallRequested and every AnswerRequested ask for a voice to be verified; inbound CallRequested do not. */
const toVerify = ({ event, traceparent }: ConsumedEvent<Consumed>): VerificationRequest[] => {
  if (event.type === 'AnswerRequested') return [answerCallVerification(event, traceparent)];
  return event.data.direction === 'outbound' ? [placeCallVerification(event, traceparent)] : [];
};

/**
 * Answers each outbound CallRequested on the calls topic with a speaker decision, and each
 * AnswerRequested with AnswerAuthorized or AnswerRefused. Other types on the topic are skipped
 * before parsing; a partition's batch is decided together, in its order, in the transaction that
 * records it in the inbox.
 */
@Injectable()
export class VerificationConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly worker: BackgroundStart;

  constructor(
    db: DataSource,
    kafka: Kafka,
    verification: SpeakerVerification,
    metrics: EventFlowMetrics,
    @Inject(SERVICE_CONFIG) config: IdentityConfig,
  ) {
    const consumer = new InboxConsumer<Consumed>({
      kafka,
      dataSource: db,
      groupId: config.VERIFICATION_CONSUMER_GROUP,
      topics: [config.TOPIC_CALLS],
      handles: ['CallRequested', 'AnswerRequested'],
      handleAsUnit: async (events, uow) => {
        const requests = events.flatMap((consumed) => {
          const asked = toVerify(consumed);
          if (asked.length > 0) refuseUnstorable(consumed);
          return asked;
        });
        await verification.stageAll(uow, requests);
      },
      logger: storeLogger(VerificationConsumer.name),
      instrumentation: metrics.consumers,
    });
    this.worker = new BackgroundStart(VerificationConsumer.name, (died) => consumer.start(died), () => consumer.stop(), kafka);
  }

  onApplicationBootstrap(): void {
    this.worker.begin();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker.end();
  }
}
