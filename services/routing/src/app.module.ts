import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, ServiceDefinition } from '@homeline/platform';
import { RoutingConfig, routingConfigSchema } from './config';

@Module({})
export class AppModule {
  static forRoot(config: RoutingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'routing',
          config,
          migrations: [],
        }),
        // The routing feature modules go here.
      ],
    };
  }
}

export const routingService: ServiceDefinition<RoutingConfig> = {
  name: 'routing',
  configSchema: routingConfigSchema,
  appModule: (config) => AppModule.forRoot(config),
};
