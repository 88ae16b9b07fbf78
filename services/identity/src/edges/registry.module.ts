import { Module } from '@nestjs/common';
import type { Clock, IdGenerator } from '@homeline/event-store';
import { CLOCK, IDS, IdempotencyStore, SERVICE_CONFIG } from '@homeline/platform';
import { DataSource } from 'typeorm';
import { HouseholdRegistry } from '../application/household-registry';
import { HouseholdWrites } from '../application/household-writes';
import { StepUpApprovals } from '../application/step-up-approvals';
import { VoiceprintCipher } from '../application/voiceprint-cipher';
import type { IdentityConfig } from '../config';
import { AesVoiceprintCipher } from './aes-voiceprint-cipher';
import { ApprovalQuery } from './approval.query';
import { ApprovalsController } from './approvals.controller';
import { HouseholdQuery } from './household.query';
import { RegistryController } from './registry.controller';

/** Accounts, members, devices, voiceprints, contacts, and step-up approval. */
@Module({
  controllers: [RegistryController, ApprovalsController],
  providers: [
    { provide: VoiceprintCipher, useFactory: (config: IdentityConfig) => new AesVoiceprintCipher(config.VOICEPRINT_KEY, config.VOICEPRINT_PREVIOUS_KEYS), inject: [SERVICE_CONFIG] },
    {
      provide: HouseholdWrites,
      useFactory: (db: DataSource, idempotency: IdempotencyStore, clock: Clock) => new HouseholdWrites(db, idempotency, clock),
      inject: [DataSource, IdempotencyStore, CLOCK],
    },
    {
      provide: HouseholdRegistry,
      useFactory: (writes: HouseholdWrites, cipher: VoiceprintCipher, ids: IdGenerator, config: IdentityConfig) =>
        new HouseholdRegistry(writes, cipher, ids, { voiceprintsPerMember: config.VOICEPRINTS_PER_MEMBER_MAX, approvalTtlSeconds: config.APPROVAL_TTL_SECONDS }),
      inject: [HouseholdWrites, VoiceprintCipher, IDS, SERVICE_CONFIG],
    },
    {
      provide: StepUpApprovals,
      useFactory: (writes: HouseholdWrites, ids: IdGenerator, config: IdentityConfig) =>
        new StepUpApprovals(writes, ids, {
          ttlSeconds: config.APPROVAL_TTL_SECONDS,
          signature: { maxAgeSeconds: config.APPROVAL_SIGNATURE_MAX_AGE_SECONDS, futureSkewSeconds: config.ASSERTION_FUTURE_SKEW_SECONDS },
        }),
      inject: [HouseholdWrites, IDS, SERVICE_CONFIG],
    },
    HouseholdQuery,
    ApprovalQuery,
  ],
  exports: [VoiceprintCipher, StepUpApprovals],
})
export class RegistryModule {}
