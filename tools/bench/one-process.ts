// The tracing instrumentation must be in place before http, express and pg load (as in each service's main.ts).
import '@homeline/telemetry/register';
import 'reflect-metadata';
import { createServiceApp, stopOnSignals, type PlatformConfig, type ServiceApp, type ServiceDefinition } from '@homeline/platform';
import { auditService } from '../../services/audit/src/app.module';
import { callsService } from '../../services/calls/src/app.module';
import { identityService } from '../../services/identity/src/app.module';
import { routingService } from '../../services/routing/src/app.module';

/**
 * The bench's --one-process: the four services in one Node process, to measure what fewer
 * processes would save (docs/decisions.md section 19). Each is still its own Nest application with
 * its own environment, HTTP port, database, Kafka clients and consumer groups, and they still talk
 * only through Kafka and HTTP; what they share is the event loop, the heap and V8's compiled code.
 * Not a way to deploy: a crash of one is a crash of all. startSystem({ oneProcess: true }) runs it
 * and hands it each service's environment in HOMELINE_SERVICE_ENVS.
 */
async function startOne<C extends PlatformConfig>(definition: ServiceDefinition<C>, env: Record<string, string>): Promise<ServiceApp<C>> {
  const service = await createServiceApp(definition, env);
  await service.app.startAllMicroservices();
  await service.app.listen(service.config.HTTP_PORT);
  return service;
}

async function main(): Promise<void> {
  const envs = JSON.parse(process.env.HOMELINE_SERVICE_ENVS ?? '{}') as Record<string, Record<string, string>>;
  const started = [
    await startOne(callsService, envs.calls),
    await startOne(identityService, envs.identity),
    await startOne(routingService, envs.routing),
    await startOne(auditService, envs.audit),
  ];
  // Stopping one service stops all four (startSystem signals once per service): each as its own main would.
  stopOnSignals(async (signal) => void (await Promise.all(started.map((s) => s.stop(signal)))));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
