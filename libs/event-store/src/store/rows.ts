import type { ServiceName } from '@homeline/contracts';
import type { RecordedEvent } from './types';

/** Columns selected wherever recorded events are read. */
export const eventColumns = `position::text AS position, transaction_id::text AS transaction_id, stream_id,
  stream_version, event_id, type, source, occurred_at, correlation_id, causation_id, account_id, data, traceparent`;

export interface EventRow {
  position: string;
  transaction_id: string;
  stream_id: string;
  stream_version: number;
  event_id: string;
  type: string;
  source: string;
  occurred_at: Date;
  correlation_id: string;
  causation_id: string | null;
  account_id: string | null;
  data: Record<string, unknown>;
  traceparent: string | null;
}

export const toRecordedEvent = (row: EventRow): RecordedEvent => ({
  id: row.event_id,
  type: row.type,
  source: row.source as ServiceName,
  streamId: row.stream_id,
  streamVersion: row.stream_version,
  occurredAt: row.occurred_at.toISOString(),
  correlationId: row.correlation_id,
  causationId: row.causation_id,
  accountId: row.account_id,
  data: row.data,
  position: BigInt(row.position),
  traceparent: row.traceparent,
});
