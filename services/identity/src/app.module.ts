import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, ServiceDefinition } from '@homeline/platform';
import { IdentityConfig, identityConfigSchema } from './config';

@Module({})
export class AppModule {
  static forRoot(config: IdentityConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'identity',
          config,
          migrations: [],
        }),
        // The identity feature modules go here.
      ],
    };
  }
}

export const identityService: ServiceDefinition<IdentityConfig> = {
  name: 'identity',
  configSchema: identityConfigSchema,
  appModule: (config) => AppModule.forRoot(config),
};
