import { createHash } from 'node:crypto';
import type { Envelope } from '@homeline/contracts';

/** One row of the audit log: the envelope as received, with the keys compliance filters on lifted out. */
export interface AuditEntry {
  readonly eventId: string;
  readonly type: string;
  readonly source: string;
  readonly streamId: string;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly accountId: string | null;
  readonly callId: string | null;
  readonly memberId: string | null;
  readonly deviceId: string | null;
  readonly envelope: Envelope;
}

const stringField = (data: Record<string, unknown>, key: string): string | null =>
  typeof data[key] === 'string' ? (data[key] as string) : null;

/**
 * A voice embedding is biometric data: the audit log keeps its SHA-256 and size, which prove what was
 * sent without keeping the voice itself. Everything else of the event is recorded as received.
 */
const withoutBiometrics = (envelope: Envelope): Envelope => {
  const voice = envelope.data.voice as { embedding?: unknown } | undefined;
  if (!voice || !Array.isArray(voice.embedding)) return envelope;
  const embedding = { sha256: createHash('sha256').update(JSON.stringify(voice.embedding)).digest('hex'), dimensions: voice.embedding.length };
  return { ...envelope, data: { ...envelope.data, voice: { ...voice, embedding } } };
};

export const toAuditEntry = (received: Envelope): AuditEntry => {
  const envelope = withoutBiometrics(received);
  return {
    eventId: envelope.id,
    type: envelope.type,
    source: envelope.source,
    streamId: envelope.streamId,
    occurredAt: envelope.occurredAt,
    correlationId: envelope.correlationId,
    accountId: envelope.accountId ?? stringField(envelope.data, 'accountId'),
    callId: stringField(envelope.data, 'callId'),
    memberId: stringField(envelope.data, 'memberId'),
    deviceId: stringField(envelope.data, 'deviceId'),
    envelope,
  };
};
