/**
 * The append lost a race: the stream is not at the expected version (`reason: 'version'`), or
 * its last event was written by a transaction newer than this one (`'transaction-order'`, see
 * appendToStream). Either way: roll back, reload, decide again.
 */
export class StreamVersionConflict extends Error {
  readonly code = 'STREAM_VERSION_CONFLICT' as const;

  constructor(
    readonly streamId: string,
    readonly expectedVersion: number | 'any',
    readonly actualVersion: number | undefined,
    readonly reason: 'version' | 'transaction-order' = 'version',
  ) {
    super(
      reason === 'transaction-order'
        ? `stream ${streamId}: its last event was appended by a newer transaction; append before other writes`
        : `stream ${streamId}: expected version ${expectedVersion}` +
            (actualVersion === undefined ? ', another writer appended first' : `, found ${actualVersion}`),
    );
    this.name = 'StreamVersionConflict';
  }
}

export const isStreamVersionConflict = (error: unknown): error is StreamVersionConflict =>
  error instanceof StreamVersionConflict;
