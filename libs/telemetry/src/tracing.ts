import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { otlpTarget, type OtelEnv } from './otel-env';

interface Tracing {
  readonly provider: NodeTracerProvider;
  /** Spans leave the process (OTLP or console); false for `none`. */
  readonly exporting: boolean;
}

let current: Tracing | undefined;

/**
 * Registers the process-wide tracer provider once, with W3C `traceparent` propagation (the
 * default propagator) and the exporter the standard variables name. With `none`, spans are
 * still made and sampled, so trace ids reach the logs and the events' `traceparent`, but they
 * go nowhere, and the library instrumentation (see register.ts) is not loaded at all.
 */
export function startTracing(serviceName: string, env: OtelEnv): NodeTracerProvider {
  if (current) return current.provider;
  const processor = spanProcessorFor(env);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? serviceName }),
    spanProcessors: processor ? [processor] : [],
  });
  provider.register();
  current = { provider, exporting: processor !== undefined };
  return provider;
}

/** The span processor for the chosen exporter; undefined for `none`. */
export function spanProcessorFor(env: OtelEnv): SpanProcessor | undefined {
  switch (env.OTEL_TRACES_EXPORTER) {
    case 'none':
      return undefined;
    case 'console':
      return new SimpleSpanProcessor(new ConsoleSpanExporter());
    case 'otlp': {
      const { url, protocol } = otlpTarget(env);
      const exporter = protocol === 'http/json' ? new OtlpJsonExporter({ url }) : new OtlpProtobufExporter({ url });
      // Batches leave off the request path; OTEL_BSP_* tune the batching, as the specification says.
      return new BatchSpanProcessor(exporter);
    }
    default: {
      const unknown: never = env.OTEL_TRACES_EXPORTER;
      return unknown;
    }
  }
}

/** True when spans are exported: only then are messaging spans worth their cost. */
export const isExporting = (): boolean => current?.exporting ?? false;

/** Sends the spans still buffered (at shutdown, before the process exits). */
export async function flushTraces(): Promise<void> {
  await current?.provider.forceFlush();
}

export const homelineTracer = (): Tracer => trace.getTracer('@homeline/telemetry');
