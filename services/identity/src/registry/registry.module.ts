import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@homeline/platform';
import { CLOCK, systemClock } from '../clock';
import type { IdentityConfig } from '../config';
import { HouseholdQuery } from './household-query';
import { HouseholdRegistry } from './household-registry';
import { RegistryController } from './registry.controller';
import { VoiceprintCipher } from './voiceprint-cipher';

/** Accounts, members, devices, voiceprints and contacts. */
@Module({
  controllers: [RegistryController],
  providers: [
    HouseholdRegistry,
    HouseholdQuery,
    { provide: CLOCK, useValue: systemClock },
    { provide: VoiceprintCipher, useFactory: (config: IdentityConfig) => new VoiceprintCipher(config.VOICEPRINT_KEY), inject: [SERVICE_CONFIG] },
  ],
  exports: [VoiceprintCipher, CLOCK],
})
export class RegistryModule {}
