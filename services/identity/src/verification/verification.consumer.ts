import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InboxConsumer } from '@homeline/event-store';
import { BackgroundStart, SERVICE_CONFIG } from '@homeline/platform';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { speakerVerificationConfig, type IdentityConfig } from '../config';
import { VoiceprintCipher } from '../registry/voiceprint-cipher';
import { callsTopicMessage, type CallsTopicMessage } from './call-requested.message';
import { verifyCallRequest } from './call-verification';

/** Answers each outbound CallRequested on the calls topic, once per event (inbox), in one transaction. */
@Injectable()
export class VerificationConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly worker: BackgroundStart;

  constructor(
    db: DataSource,
    kafka: Kafka,
    cipher: VoiceprintCipher,
    @Inject(SERVICE_CONFIG) config: IdentityConfig,
  ) {
    const thresholds = speakerVerificationConfig(config);
    const logger = new Logger(VerificationConsumer.name);
    const consumer = new InboxConsumer<CallsTopicMessage>({
      kafka,
      dataSource: db,
      groupId: config.VERIFICATION_CONSUMER_GROUP,
      topics: [config.TOPIC_CALLS],
      schema: callsTopicMessage,
      logger: { warn: (details, message) => logger.warn({ ...details, msg: message }) },
      handle: async ({ callRequested }, tx) => {
        if (callRequested?.data.direction !== 'outbound') return;
        await verifyCallRequest(tx, callRequested, { cipher, config: thresholds });
      },
    });
    this.worker = new BackgroundStart(VerificationConsumer.name, () => consumer.start(), () => consumer.stop());
  }

  onApplicationBootstrap(): void {
    this.worker.begin();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker.end();
  }
}
