import { envelopeSchema, safeParseEvent, type EventType, type IntegrationEvent } from '@homeline/contracts';
import { z } from 'zod';

/** An event of a type this consumer does not handle: recorded in the inbox, otherwise ignored. */
export interface IgnoredEvent {
  readonly id: string;
  readonly type: 'ignored';
}

/**
 * The inbox schema for a consumer interested in `types`: those are validated in full with the
 * contracts (a bad one is dead-lettered with the reason), any other type passes as ignored.
 */
export const consumedEventSchema = <T extends EventType>(types: readonly T[]) =>
  z.unknown().transform((raw, ctx): IntegrationEvent<T> | IgnoredEvent => {
    const envelope = envelopeSchema.safeParse(raw);
    if (!envelope.success) {
      ctx.addIssue({ code: 'custom', message: `envelope: ${envelope.error.message}` });
      return z.NEVER;
    }
    if (!(types as readonly string[]).includes(envelope.data.type)) return { id: envelope.data.id, type: 'ignored' };
    const parsed = safeParseEvent(raw);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.reason });
      return z.NEVER;
    }
    return parsed.event as IntegrationEvent<T>;
  });
