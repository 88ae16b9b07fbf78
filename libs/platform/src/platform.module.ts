import { BeforeApplicationShutdown, DynamicModule, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { flushTraces } from '@homeline/telemetry';
import { Kafka } from 'kafkajs';
import { LoggerModule } from 'nestjs-pino';
import { Registry } from 'prom-client';
import { BearerTokenGuard } from './auth/bearer-token.guard';
import type { PlatformConfig } from './config/env';
import { databaseOptions, openDatabase } from './database/database';
import { ProblemDetailsFilter } from './errors/problem-details.filter';
import { HealthController } from './health/health.controller';
import { KafkaHealthIndicator } from './health/kafka.health';
import { IdempotencyStore } from './idempotency/idempotency-store';
import { MessagingMetrics } from './metrics/messaging-metrics';
import { createRegistry, HttpMetrics, MetricsController } from './metrics/metrics';
import { kafkaClient } from './messaging/kafka-client';
import { loggerParams } from './observability/logging';
import { CLOCK, IDS, PLATFORM_OPTIONS, PlatformOptions, SERVICE_CONFIG } from './platform.options';
import { EventFlowMetrics } from './messaging/event-flow.metrics';
import { randomIds, systemClock } from '@homeline/event-store';

/**
 * What every Homeline service stands on: its database (TypeORM, migrations at start), JSON logs,
 * health and metrics endpoints, bearer-token auth, problem details. Global, so feature modules
 * inject `DataSource`, `Kafka`, `Registry`, `EventFlowMetrics`, `IdempotencyStore`, `SERVICE_CONFIG`,
 * `CLOCK` and `IDS` directly.
 */
@Module({})
export class PlatformModule implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Platform');

  beforeApplicationShutdown(signal?: string): void {
    this.logger.log(`shutting down${signal ? ` on ${signal}` : ''}: finishing in-flight work`);
  }

  /** Spans still batched for export leave before the process does. */
  async onApplicationShutdown(): Promise<void> {
    await flushTraces();
  }

  static forRoot<C extends PlatformConfig>(options: PlatformOptions<C>): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerParams(options.service, options.config)),
        TypeOrmModule.forRootAsync({ useFactory: () => databaseOptions(options), dataSourceFactory: openDatabase(options.config.MIGRATIONS) }),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: PLATFORM_OPTIONS, useValue: options },
        { provide: SERVICE_CONFIG, useValue: options.config },
        { provide: Registry, useFactory: () => createRegistry(options.service) },
        { provide: HttpMetrics, useFactory: (registry: Registry) => new HttpMetrics(registry), inject: [Registry] },
        { provide: Kafka, useFactory: () => kafkaClient(options) },
        { provide: EventFlowMetrics, useFactory: (registry: Registry) => new EventFlowMetrics(registry), inject: [Registry] },
        { provide: CLOCK, useValue: systemClock },
        { provide: IDS, useValue: randomIds },
        MessagingMetrics,
        { provide: APP_GUARD, useClass: BearerTokenGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        KafkaHealthIndicator,
        IdempotencyStore,
      ],
      exports: [PLATFORM_OPTIONS, SERVICE_CONFIG, CLOCK, IDS, Registry, HttpMetrics, EventFlowMetrics, Kafka, IdempotencyStore],
    };
  }
}
