import { Module } from '@nestjs/common';
import { CLOCK, SERVICE_CONFIG } from '@homeline/platform';
import type { Clock } from '@homeline/event-store';
import { SpeakerVerification } from '../application/speaker-verification';
import { VerificationStore } from '../application/verification.store';
import { VoiceprintCipher } from '../application/voiceprint-cipher';
import { speakerVerificationConfig, type IdentityConfig } from '../config';
import { RegistryModule } from './registry.module';
import { SqlVerificationStore } from './sql-verification.store';
import { VerificationConsumer } from './verification.consumer';

/** Speaker verification: answers CallRequested from the calls topic. */
@Module({
  imports: [RegistryModule],
  providers: [
    { provide: VerificationStore, useClass: SqlVerificationStore },
    {
      provide: SpeakerVerification,
      useFactory: (store: VerificationStore, cipher: VoiceprintCipher, config: IdentityConfig, clock: Clock) =>
        new SpeakerVerification(store, cipher, speakerVerificationConfig(config), clock),
      inject: [VerificationStore, VoiceprintCipher, SERVICE_CONFIG, CLOCK],
    },
    VerificationConsumer,
  ],
  exports: [SpeakerVerification, VerificationStore],
})
export class VerificationModule {}
