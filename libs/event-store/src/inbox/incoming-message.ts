import { Headers } from '@homeline/contracts';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { ZodType } from 'zod';
import { prettifyError } from 'zod';

export type ParsedMessage<T> = { readonly ok: true; readonly event: T } | { readonly ok: false; readonly reason: string };

/** Parses a message value as JSON and validates it; never throws. */
export const parseMessage = <T>(value: Buffer | null, schema: ZodType<T>): ParsedMessage<T> => {
  if (value === null) return { ok: false, reason: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
  const result = schema.safeParse(json);
  return result.success
    ? { ok: true, event: result.data }
    : { ok: false, reason: `schema: ${prettifyError(result.error).replace(/\s*\n\s*/g, '; ')}` };
};

/** The same key, value and headers, plus why it was dead-lettered and where it came from. */
export const toDeadLetter = (
  message: KafkaMessage,
  source: { readonly topic: string; readonly partition: number },
  reason: string,
): Message => ({
  key: message.key,
  value: message.value,
  headers: {
    ...(message.headers as IHeaders | undefined),
    [Headers.dlqReason]: reason.slice(0, 2000),
    [Headers.dlqSourceTopic]: source.topic,
    [Headers.dlqSourcePartition]: String(source.partition),
    [Headers.dlqSourceOffset]: message.offset,
  },
});
