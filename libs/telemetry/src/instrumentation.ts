import type { IncomingMessage } from 'node:http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

const quietPaths = /^\/(health|metrics)(\/|\?|$)/;

let registered = false;

/**
 * Hooks the official instrumentations into http, express and pg. They patch a module as it is
 * loaded, so this must run before Nest, express or pg is required (register.ts, imported first
 * by each service's main.ts).
 *
 * Kafka is deliberately not among them: @opentelemetry/instrumentation-kafkajs starts each
 * eachBatch as a new root span with the producers only linked, and its producer patch replaces the
 * `traceparent` header with the sender's own context. Behind an outbox the sender is the relay,
 * long after the request, so both would cut every call's trace at each Kafka hop. The inbox
 * consumer and the outbox relay make the messaging spans themselves (messaging-trace.ts).
 */
export function instrumentLibraries(): void {
  if (registered) return;
  registered = true;
  registerInstrumentations({
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes every few seconds would bury the calls.
        ignoreIncomingRequestHook: (request: IncomingMessage) => quietPaths.test(request.url ?? ''),
      }),
      // One span per route handler, not one per middleware (Nest mounts a dozen).
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      // Only queries made for a request or a message: the relay's and projections' polling would
      // otherwise start a trace of its own every few hundred milliseconds.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
}
