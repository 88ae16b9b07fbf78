import { DynamicModule, Module } from '@nestjs/common';
import { eventStoreMigrations } from '@homeline/event-store';
import { OutboxRelayHost, PlatformModule, ServiceDefinition } from '@homeline/platform';
import { IdentityConfig, identityConfigSchema } from './config';
import { registryProblemStatus } from './edges/registry.problems';
import { ExpiryModule } from './edges/expiry.module';
import { HouseholdPolicies1764000000200 } from './edges/household-policies.migration';
import { NonceExpiry1764000000300 } from './edges/nonce-expiry.migration';
import { UnlinkedDevices1766200000000 } from './edges/unlinked-devices.migration';
import { HouseholdRegistry1764000000100 } from './edges/registry.migration';
import { RegistryModule } from './edges/registry.module';
import { StepUpApproval1764000000400 } from './edges/step-up-approval.migration';
import { HeldVoiceprints1765600000500 } from './edges/held-voiceprints.migration';
import { VerificationModule } from './edges/verification.module';

@Module({})
export class AppModule {
  static forRoot(config: IdentityConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'identity',
          config,
          migrations: [
            ...eventStoreMigrations, HouseholdRegistry1764000000100, HouseholdPolicies1764000000200, NonceExpiry1764000000300, StepUpApproval1764000000400,
            HeldVoiceprints1765600000500, UnlinkedDevices1766200000000,
          ],
          problemStatus: registryProblemStatus,
          tokens: { integration: config.INTEGRATION_TOKEN, ...(config.RECOVERY_TOKEN && { recovery: config.RECOVERY_TOKEN }) },
        }),
        RegistryModule,
        VerificationModule,
        ExpiryModule,
      ],
      // Publishes what identity appends (registry events, speaker and answer decisions) to TOPIC_IDENTITY.
      providers: [OutboxRelayHost],
    };
  }
}

export const identityService: ServiceDefinition<IdentityConfig> = {
  name: 'identity',
  configSchema: identityConfigSchema,
  appModule: (config) => AppModule.forRoot(config),
};
