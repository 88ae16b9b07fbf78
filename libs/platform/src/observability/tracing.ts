import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { isExporting, startTracing, type OtelEnv } from '@homeline/telemetry';
import type { NextFunction, Request, Response } from 'express';
import { routeOf } from '../metrics/metrics';

/**
 * Starts tracing for the service from its validated configuration (the OTEL_* variables,
 * docs/architecture.md section 8). Returns the request middleware the app needs: with an
 * exporter, the http and express instrumentations (registered by main.ts before anything loaded)
 * make the server spans and none is needed; without one, a light span per request keeps trace
 * ids in the logs and in the events' `traceparent`.
 */
export function setupTracing(service: string, env: OtelEnv): ((request: Request, response: Response, next: NextFunction) => void) | undefined {
  startTracing(service, env);
  return isExporting() ? undefined : traceRequests;
}

/** The ids of the active span, for log lines; empty outside a trace. */
export function activeTraceIds(): { traceId?: string; spanId?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

/**
 * Express middleware: one server span per request, continuing the caller's `traceparent`,
 * active while the request is handled.
 */
export function traceRequests(request: Request, response: Response, next: NextFunction): void {
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const span = trace.getTracer('@homeline/platform').startSpan(
    request.method,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': request.path } },
    parent,
  );
  response.once('finish', () => {
    span.updateName(`${request.method} ${routeOf(request)}`);
    span.setAttribute('http.response.status_code', response.statusCode);
    if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(trace.setSpan(parent, span), next);
}
