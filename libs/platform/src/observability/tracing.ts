import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ConsoleSpanExporter, NodeTracerProvider, SimpleSpanProcessor, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { NextFunction, Request, Response } from 'express';
import { routeOf } from '../metrics/metrics';

export type TracesExporter = 'none' | 'console';

let provider: NodeTracerProvider | undefined;

/**
 * Registers the process-wide tracer provider once, with W3C `traceparent` propagation
 * (the default propagator). Spans are sampled and carry trace ids into logs and Kafka headers
 * even when no exporter is configured.
 */
export function setupTracing(service: string, exporter: TracesExporter): NodeTracerProvider {
  if (provider) return provider;
  const spanProcessors: SpanProcessor[] = exporter === 'console' ? [new SimpleSpanProcessor(new ConsoleSpanExporter())] : [];
  provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors });
  provider.register();
  return provider;
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
