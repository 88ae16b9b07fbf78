import { Logger } from '@nestjs/common';
import type { StoreLogger } from '@homeline/event-store';

/**
 * The event store's background loops (inbox consumers, the outbox relay) logging as the service
 * does: one JSON line each, with the service's name, level and time, under `context`. Without it
 * they fall back to the console's bare multi-line text.
 */
export const storeLogger = (context: string): StoreLogger => {
  const nest = new Logger(context);
  return {
    warn: (details, message) => nest.warn({ ...details, msg: message }),
    error: (details, message) => nest.error({ ...details, msg: message }),
  };
};
