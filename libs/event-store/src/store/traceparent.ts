import { context, propagation } from '@opentelemetry/api';

/** The W3C traceparent of the active OpenTelemetry context, or null when nothing is traced. */
export const currentTraceparent = (): string | null => {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
};
