import { DynamicModule, Module } from '@nestjs/common';
import { eventStoreMigrations } from '@homeline/event-store';
import { PlatformModule, ServiceDefinition } from '@homeline/platform';
import { RoutingConfig, routingConfigSchema } from './config';
import { routingMigrations } from './edges/migrations';
import { RoutingModule } from './edges/routing.module';

@Module({})
export class AppModule {
  static forRoot(config: RoutingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'routing',
          config,
          migrations: [...eventStoreMigrations, ...routingMigrations],
          // A call's routing events span its decision's stream and its legs' streams; keyed by the
          // call (their correlation id), they reach one partition in the order they were written.
          messageKey: (event) => event.correlationId,
        }),
        RoutingModule,
      ],
    };
  }
}

export const routingService: ServiceDefinition<RoutingConfig> = {
  name: 'routing',
  configSchema: routingConfigSchema,
  // Carrier signatures cover the exact bytes sent: the platform's body parser keeps them as `request.rawBody`.
  appModule: (config) => AppModule.forRoot(config),
};
