import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, ServiceDefinition } from '@homeline/platform';
import { eventStoreMigrations } from '@homeline/event-store';
import { CallsConfig, callsConfigSchema } from './config';
import { CallsSchema1764000000200 } from './edges/calls-schema.migration';
import { KnownDevicesOrder1764000000201 } from './edges/known-devices-order.migration';
import { callOutcomeMetrics } from './edges/call-outcome.metrics';
import { VoiceRedaction1766100000000 } from './edges/voice-redaction.migration';
import { CallsModule } from './edges/calls.module';

@Module({})
export class AppModule {
  static forRoot(config: CallsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'calls',
          config,
          migrations: [...eventStoreMigrations, CallsSchema1764000000200, KnownDevicesOrder1764000000201, VoiceRedaction1766100000000],
          problemStatus: { call_not_found: 404, call_already_exists: 409, already_answered: 409, call_ended: 409, not_ringing: 409, not_inbound: 409 },
          publishedMetrics: callOutcomeMetrics,
        }),
        CallsModule,
      ],
    };
  }
}

export const callsService: ServiceDefinition<CallsConfig> = {
  name: 'calls',
  configSchema: callsConfigSchema,
  appModule: (config) => AppModule.forRoot(config),
};
