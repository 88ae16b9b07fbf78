export { otelEnvShape, otlpTarget, type OtelEnv, type OtlpProtocol, type OtlpTarget, type TracesExporter } from './otel-env';
export { startTracing, isExporting, flushTraces, homelineTracer, spanProcessorFor } from './tracing';
export { instrumentLibraries } from './instrumentation';
export {
  consumeBatchInTrace, publishInTrace, withTraceparent, contextOf, headerText,
  type ConsumedMessage, type MessageHeaders, type TopicMessages,
} from './messaging-trace';
export {
  registerConsumer, consumersOf, reportDeadLetter, onDeadLetter,
  type ConsumerRegistration, type DeadLettered,
} from './messaging-observations';
