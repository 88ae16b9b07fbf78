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

export const toAuditEntry = (envelope: Envelope): AuditEntry => ({
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
});
