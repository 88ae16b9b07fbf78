import { DynamicModule, Module } from '@nestjs/common';
import { eventStoreMigrations } from '@homeline/event-store';
import { OutboxRelayHost, PlatformModule, ServiceDefinition } from '@homeline/platform';
import { IdentityConfig, identityConfigSchema } from './config';
import { registryProblemStatus } from './registry/registry.errors';
import { HouseholdRegistry1764000000100 } from './registry/registry.migration';
import { RegistryModule } from './registry/registry.module';
import { VerificationModule } from './verification/verification.module';

@Module({})
export class AppModule {
  static forRoot(config: IdentityConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'identity',
          config,
          migrations: [...eventStoreMigrations, HouseholdRegistry1764000000100],
          problemStatus: registryProblemStatus,
        }),
        RegistryModule,
        VerificationModule,
      ],
      // Publishes what identity appends (registry events, speaker decisions) to TOPIC_IDENTITY.
      providers: [OutboxRelayHost],
    };
  }
}

export const identityService: ServiceDefinition<IdentityConfig> = {
  name: 'identity',
  configSchema: identityConfigSchema,
  appModule: (config) => AppModule.forRoot(config),
};
