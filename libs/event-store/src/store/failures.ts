import { StreamVersionConflict } from './errors';

/**
 * How a failure of a command or a consumed message is treated: transient failures are retried
 * (the same work on a fresh read will likely succeed), poison messages are dead-lettered (they
 * will never succeed), and anything unclassified is treated as transient, so a bug stops the
 * line loudly instead of quietly dropping a valid event.
 */

/** A failure worth retrying, raised by an adapter that knows (a carrier timeout, a busy lock). */
export class TransientFailure extends Error {
  readonly code = 'TRANSIENT_FAILURE' as const;
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'TransientFailure';
  }
}

/**
 * A message that can never be handled, whatever the retries: a consumer throws it (with a stable
 * `reason` code) to send that one message to the dead-letter topic and go on.
 */
export class PoisonMessage extends Error {
  readonly code = 'POISON_MESSAGE' as const;
  constructor(readonly reason: string, readonly eventId: string, message?: string) {
    super(message ?? `poison message ${eventId}: ${reason}`);
    this.name = 'PoisonMessage';
  }
}

export const isPoisonMessage = (error: unknown): error is PoisonMessage => error instanceof PoisonMessage;

// PostgreSQL error classes that a retry on a fresh transaction can clear.
const transientSqlStates = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
]);

// Unique keys whose violation means "another writer got there first": reload and decide again.
const raceConstraints = new Set(['es_events_stream_version_uq', 'es_inbox_pkey']);
const extraRaceConstraints = new Set<string>();

/** Declares a unique constraint of a service whose violation is a lost race, not a bug (e.g. a nonce's key). */
export const treatUniqueViolationAsRace = (constraint: string): void => void extraRaceConstraints.add(constraint);

const transientNodeCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

const driverErrorOf = (error: unknown): { code?: string; constraint?: string; message?: string } =>
  ((error as { driverError?: unknown })?.driverError ?? error ?? {}) as { code?: string; constraint?: string; message?: string };

/** True for failures a retry may clear: lost races, serialization failures, dropped connections. */
export const isTransientFailure = (error: unknown): boolean => {
  if (error instanceof StreamVersionConflict || error instanceof TransientFailure) return true;
  const driver = driverErrorOf(error);
  const code = driver.code ?? '';
  if (transientSqlStates.has(code) || code.startsWith('08')) return true;
  if (code === '23505') return raceConstraints.has(driver.constraint ?? '') || extraRaceConstraints.has(driver.constraint ?? '');
  if (transientNodeCodes.has(code)) return true;
  const message = driver.message ?? (error instanceof Error ? error.message : '');
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
};

/** Capped exponential backoff with full jitter (ms) for attempt 1, 2, 3, … */
export const backoffMs = (attempt: number, baseMs = 20, capMs = 5_000): number =>
  Math.round(Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16)));
