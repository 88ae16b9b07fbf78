import { envelopeSchema, safeParseEvent, type IntegrationEvent } from '@homeline/contracts';
import { z } from 'zod';

/** A message on the calls topic as verification sees it: a CallRequested, or another event it ignores. */
export interface CallsTopicMessage {
  readonly id: string;
  readonly callRequested: IntegrationEvent<'CallRequested'> | null;
}

/**
 * Every message must be an envelope; a CallRequested must also match its contract (else it is
 * dead-lettered with the reason). Other event types pass unvalidated: they are none of ours.
 */
export const callsTopicMessage: z.ZodType<CallsTopicMessage> = envelopeSchema.transform((envelope, context) => {
  if (envelope.type !== 'CallRequested') return { id: envelope.id, callRequested: null };
  const parsed = safeParseEvent(envelope);
  if (!parsed.ok) {
    context.addIssue({ code: 'custom', message: parsed.reason });
    return z.NEVER;
  }
  return { id: envelope.id, callRequested: parsed.event as IntegrationEvent<'CallRequested'> };
});
