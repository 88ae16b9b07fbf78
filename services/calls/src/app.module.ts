import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, ServiceDefinition } from '@homeline/platform';
import { CallsConfig, callsConfigSchema } from './config';

@Module({})
export class AppModule {
  static forRoot(config: CallsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'calls',
          config,
          migrations: [],
        }),
        // The calls feature modules go here.
      ],
    };
  }
}

export const callsService: ServiceDefinition<CallsConfig> = {
  name: 'calls',
  configSchema: callsConfigSchema,
  appModule: (config) => AppModule.forRoot(config),
};
