import { BeforeApplicationShutdown, DynamicModule, Logger, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
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
import { createRegistry, HttpMetrics, MetricsController } from './metrics/metrics';
import { kafkaClient } from './messaging/kafka-client';
import { loggerParams } from './observability/logging';
import { PLATFORM_OPTIONS, PlatformOptions, SERVICE_CONFIG } from './platform.options';

/**
 * What every Homeline service stands on: its database (TypeORM, migrations at start), JSON logs,
 * health and metrics endpoints, bearer-token auth, problem details. Global, so feature modules
 * inject `DataSource`, `Kafka`, `Registry`, `IdempotencyStore` and `SERVICE_CONFIG` directly.
 */
@Module({})
export class PlatformModule implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Platform');

  beforeApplicationShutdown(signal?: string): void {
    this.logger.log(`shutting down${signal ? ` on ${signal}` : ''}: finishing in-flight work`);
  }

  static forRoot<C extends PlatformConfig>(options: PlatformOptions<C>): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerParams(options.service, options.config)),
        TypeOrmModule.forRootAsync({ useFactory: () => databaseOptions(options), dataSourceFactory: openDatabase }),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: PLATFORM_OPTIONS, useValue: options },
        { provide: SERVICE_CONFIG, useValue: options.config },
        { provide: Registry, useFactory: () => createRegistry(options.service) },
        { provide: HttpMetrics, useFactory: (registry: Registry) => new HttpMetrics(registry), inject: [Registry] },
        { provide: Kafka, useFactory: () => kafkaClient(options) },
        { provide: APP_GUARD, useClass: BearerTokenGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        KafkaHealthIndicator,
        IdempotencyStore,
      ],
      exports: [PLATFORM_OPTIONS, SERVICE_CONFIG, Registry, HttpMetrics, Kafka, IdempotencyStore],
    };
  }
}
