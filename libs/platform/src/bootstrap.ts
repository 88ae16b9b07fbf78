import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ServiceName } from '@homeline/contracts';
import { Logger } from 'nestjs-pino';
import { z } from 'zod';
import type { PlatformConfig } from './config/env';
import { ConfigError, loadConfig } from './config/load-config';
import { checkKafkaAuth } from './messaging/kafka-connection';
import { HttpMetrics } from './metrics/metrics';
import { setupTracing, traceRequests } from './observability/tracing';
import { serveOpenApi } from './openapi';

export interface ServiceDefinition<C extends PlatformConfig> {
  readonly name: ServiceName;
  readonly configSchema: z.ZodType<C>;
  /** The root module for a validated configuration: `AppModule.forRoot`. */
  readonly appModule: (config: C) => DynamicModule;
  /** Called before listening, e.g. to connect a Kafka microservice to the app. */
  readonly onCreate?: (app: INestApplication, config: C) => void | Promise<void>;
}

export interface ServiceApp<C extends PlatformConfig> {
  readonly app: INestApplication;
  readonly config: C;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Builds a service's application from an environment, without listening (tests listen on port 0). */
export async function createServiceApp<C extends PlatformConfig>(service: ServiceDefinition<C>, env: Env): Promise<ServiceApp<C>> {
  const config = loadConfig(service.configSchema, env);
  checkKafkaAuth(config);
  setupTracing(service.name, config.OTEL_TRACES_EXPORTER);
  const app = await NestFactory.create<NestExpressApplication>(service.appModule(config), { bufferLogs: true });
  app.disable('x-powered-by');
  app.useLogger(app.get(Logger));
  app.use(traceRequests);
  app.use(app.get(HttpMetrics).middleware);
  app.enableShutdownHooks();
  serveOpenApi(app, service.name);
  await service.onCreate?.(app, config);
  return { app, config };
}

/**
 * A service's main: validate the environment (exit 1 naming each bad variable), start, listen
 * on HTTP_PORT. SIGTERM closes the app: HTTP stops accepting, in-flight requests finish,
 * modules shut down (consumers commit, the database pool closes).
 */
export async function runService<C extends PlatformConfig>(service: ServiceDefinition<C>, env: Env): Promise<void> {
  try {
    const { app, config } = await createServiceApp(service, env);
    await app.startAllMicroservices();
    await app.listen(config.HTTP_PORT);
  } catch (error) {
    const message = error instanceof ConfigError ? `${service.name}: ${error.message}` : error;
    console.error(message);
    process.exit(1);
  }
}
