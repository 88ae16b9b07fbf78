import { DynamicModule, Module } from '@nestjs/common';
import { eventStoreMigrations } from '@homeline/event-store';
import { PlatformModule, ServiceDefinition } from '@homeline/platform';
import { json } from 'express';
import { RoutingConfig, routingConfigSchema } from './config';
import { RoutingModule } from './routing.module';
import { RoutingSchema1764100000000 } from './schema/routing-schema.migration';

@Module({})
export class AppModule {
  static forRoot(config: RoutingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'routing',
          config,
          migrations: [...eventStoreMigrations, RoutingSchema1764100000000],
        }),
        RoutingModule,
      ],
    };
  }
}

export const routingService: ServiceDefinition<RoutingConfig> = {
  name: 'routing',
  configSchema: routingConfigSchema,
  appModule: (config) => AppModule.forRoot(config),
  onCreate: (app) => {
    // Carrier signatures cover the exact bytes sent: keep them as `request.rawBody`. Registered
    // before Nest's own JSON parser, which then sees this one (same name) and does not add another.
    app.use(json({ verify: (request, _response, buffer) => ((request as { rawBody?: Buffer }).rawBody = buffer) }));
  },
};
