import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InboxConsumer } from '@homeline/event-store';
import { SERVICE_CONFIG } from '@homeline/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../clock';
import { speakerVerificationConfig, type IdentityConfig } from '../config';
import { KeepTrying } from '../messaging/keep-trying';
import { VoiceprintCipher } from '../registry/voiceprint-cipher';
import { callsTopicMessage, type CallsTopicMessage } from './call-requested.message';
import { verifyCallRequest } from './call-verification';

/** Answers each outbound CallRequested on the calls topic, once per event (inbox), in one transaction. */
@Injectable()
export class VerificationConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('VerificationConsumer');
  private readonly consumer: InboxConsumer<CallsTopicMessage>;
  private readonly starter = new KeepTrying('verification consumer', this.logger);

  constructor(
    db: DataSource,
    kafka: Kafka,
    cipher: VoiceprintCipher,
    @Inject(SERVICE_CONFIG) config: IdentityConfig,
    @Inject(CLOCK) clock: Clock,
  ) {
    const thresholds = speakerVerificationConfig(config);
    this.consumer = new InboxConsumer({
      kafka,
      dataSource: db,
      groupId: config.VERIFICATION_CONSUMER_GROUP,
      topics: [config.TOPIC_CALLS],
      schema: callsTopicMessage,
      handle: async ({ callRequested }, tx) => {
        if (callRequested?.data.direction !== 'outbound') return;
        await verifyCallRequest(tx, callRequested, { cipher, config: thresholds, now: clock() });
      },
    });
  }

  onApplicationBootstrap(): void {
    this.starter.start(this.consumer);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.starter.halt();
    await this.consumer.stop();
  }
}
