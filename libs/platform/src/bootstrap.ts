import { Logger as NestLogger, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ServiceName } from '@homeline/contracts';
import { Logger } from 'nestjs-pino';
import { z } from 'zod';
import type { PlatformConfig } from './config/env';
import { ConfigError, loadConfig } from './config/load-config';
import { checkKafkaAuth } from './messaging/kafka-connection';
import { HttpMetrics } from './metrics/metrics';
import { answerClientErrors } from './http/client-errors';
import { HttpDrain } from './http/http-drain';
import { requestBody } from './http/request-body';
import { setupTracing } from './observability/tracing';
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
  /** HTTP first (new requests refused with 503, those in flight finished), then the modules. */
  stop(signal?: string): Promise<void>;
}

/** How long requests in flight may take to finish once a service stops, before they are cut. */
const HTTP_DRAIN_MS = 10_000;

/**
 * How long an idle keep-alive connection stays open: longer than the idle timeout of what sits in
 * front of a service and reuses its connections (60 s for nginx's upstream keep-alive and most
 * cloud load balancers). Node's default, 5 s, lets the server close a connection such a client is
 * sending on at that moment: its request fails ("other side closed"), and a proxy answers 502.
 */
const HTTP_KEEP_ALIVE_MS = 65_000;

type Env = Readonly<Record<string, string | undefined>>;

/** Builds a service's application from an environment, without listening (tests listen on port 0). */
export async function createServiceApp<C extends PlatformConfig>(service: ServiceDefinition<C>, env: Env): Promise<ServiceApp<C>> {
  const config = loadConfig(service.configSchema, env);
  checkKafkaAuth(config);
  const traceRequests = setupTracing(service.name, config);
  // The platform reads bodies itself (JSON only, with its checks): Nest adds no parser of its own.
  const app = await NestFactory.create<NestExpressApplication>(service.appModule(config), { bufferLogs: true, bodyParser: false });
  app.disable('x-powered-by');
  app.useLogger(app.get(Logger));
  answerClientErrors(app.getHttpServer());
  app.getHttpServer().keepAliveTimeout = HTTP_KEEP_ALIVE_MS;
  const http = new HttpDrain();
  app.use(http.middleware);
  if (traceRequests) app.use(traceRequests);
  app.use(app.get(HttpMetrics).middleware);
  app.use(...requestBody());
  serveOpenApi(app, service.name);
  await service.onCreate?.(app, config);
  const stop = async (signal?: string) => {
    new NestLogger('Platform').log(`${signal ?? 'stop'}: refusing new requests, finishing ${http.requestsInFlight} in flight`);
    await http.drain(app.getHttpServer(), HTTP_DRAIN_MS);
    await app.close();
  };
  return { app, config, stop };
}

/**
 * A service's main: validate the environment (exit 1 naming each bad variable), start, listen
 * on HTTP_PORT; with MIGRATIONS=only, apply the migrations and exit. SIGTERM or SIGINT stops it:
 * HTTP stops taking requests at once, in-flight requests finish, then modules shut down (consumers
 * commit, the database pool closes, buffered spans are sent). Run by `npm start` with an IPC
 * channel, it stops the same way when that channel closes (the supervisor is gone).
 */
export async function runService<C extends PlatformConfig>(service: ServiceDefinition<C>, env: Env): Promise<void> {
  try {
    const { app, config, stop } = await createServiceApp(service, env);
    if (config.MIGRATIONS === 'only') {
      // The init container: creating the app opened the database and applied the migrations.
      await app.close();
      console.log(`${service.name}: migrations applied`);
      return;
    }
    stopOnSignals(stop);
    await app.startAllMicroservices();
    await app.listen(config.HTTP_PORT);
  } catch (error) {
    const message = error instanceof ConfigError ? `${service.name}: ${error.message}` : error;
    console.error(message);
    process.exit(1);
  }
}

/**
 * SIGTERM or SIGINT (or the supervisor's IPC channel closing) runs `stop` once, then the process
 * exits as the signal would have, or with 1 when stopping failed.
 */
export function stopOnSignals(stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    void stop(signal).then(
      // Exit as the signal would have: whoever sent it sees the process ended by it.
      () => {
        process.removeListener('SIGTERM', onSignal);
        process.removeListener('SIGINT', onSignal);
        process.kill(process.pid, signal);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (process.send) process.once('disconnect', () => onSignal('SIGTERM'));
}
