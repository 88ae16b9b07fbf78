import type { Envelope, ServiceName } from '@homeline/contracts';

/** A domain event as a decider produces it. */
export interface DomainEvent<TType extends string = string, TData = Record<string, unknown>> {
  readonly type: TType;
  readonly data: TData;
}

/** An event to append; envelope fields not given here come from the append options. */
export interface NewEvent<TType extends string = string, TData = Record<string, unknown>>
  extends DomainEvent<TType, TData> {
  readonly id?: string;
  readonly occurredAt?: Date;
  readonly metadata?: {
    readonly correlationId?: string;
    readonly causationId?: string | null;
    readonly accountId?: string | null;
    /** The trace the event continues (e.g. that of the event that caused it); default: the active one. */
    readonly traceparent?: string | null;
  };
}

/** An event as stored: its envelope, its global position and the trace it was appended in. */
export type RecordedEvent<E extends DomainEvent = DomainEvent> = Envelope<E['type'], E['data']> & {
  readonly position: bigint;
  readonly traceparent: string | null;
};

/**
 * The stream version the caller saw: a number (0 = the stream has no events yet),
 * `'no-stream'` (same as 0) or `'any'` (no check, append after whatever is there).
 */
export type ExpectedVersion = number | 'no-stream' | 'any';

export interface AppendOptions {
  readonly expectedVersion: ExpectedVersion;
  readonly source: ServiceName;
  /** Defaults to the stream id (the call id for a call stream). */
  readonly correlationId?: string;
  readonly causationId?: string | null;
  readonly accountId?: string | null;
  /** Defaults to the current time, for events without `occurredAt`. */
  readonly now?: Date;
}

export interface AppendResult {
  /** The stream's version after the append: pass it as the next expected version. */
  readonly nextExpectedVersion: number;
  readonly lastPosition: bigint;
  readonly events: readonly RecordedEvent[];
}

/** Position of the store reader/relay: events are ordered by (transactionId, position). */
export interface Checkpoint {
  readonly transactionId: string;
  readonly position: bigint;
}

export const initialCheckpoint: Checkpoint = { transactionId: '0', position: 0n };
