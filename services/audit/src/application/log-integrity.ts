/**
 * The stored log is not what the log signed: a row, a tile, the head or the checkpoints were
 * changed behind the service's back. Nothing is signed or proven over it; it is the service's
 * state, not the client's request, that is wrong (500).
 */
export class LogIntegrityError extends Error {
  readonly code = 'log_integrity';
  readonly status = 500;
}
