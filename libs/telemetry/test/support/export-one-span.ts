// Exports one span through the exporter the variables choose, then prints its trace id.
// A process of its own: the OTLP exporters load their HTTP agent with a dynamic import(),
// which jest's module sandbox does not allow.
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { spanProcessorFor } from '../../src';

const [endpoint, protocol, name] = process.argv.slice(2);
const processor = spanProcessorFor({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: protocol as 'http/json' });
const provider = new BasicTracerProvider({ spanProcessors: processor ? [processor] : [] });
const span = provider.getTracer('test').startSpan(name);
span.end();
void provider.shutdown().then(() => console.log(span.spanContext().traceId));
