interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for requests that arrive one by one (HTTP callbacks, say) but can be written
 * together: `submit` hands an item in, and one `flush` at a time writes everything submitted
 * since the last one began, up to `maxBatch`. No timer and no linger: an idle service flushes an
 * item as soon as the current turn of the event loop is over (`setImmediate` gathers what arrived
 * in the same turn); under load, what arrives while a flush runs waits for the next, so the
 * batches grow with the rate and the round trips per item fall (docs/decisions.md section 15).
 *
 * `flush` answers one result per item, in order. A batch that fails as a whole is flushed again
 * item by item, so one bad item fails only its own submitter; `flush` must therefore write all
 * or nothing (a unit of work, a transaction), or writes that are harmless twice (idempotent).
 */
export class GroupCommit<T, R> {
  private pending: Waiting<T, R>[] = [];
  private running = false;

  constructor(
    private readonly flush: (items: readonly T[]) => Promise<readonly R[]>,
    private readonly maxBatch = 64,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        settle(batch, await this.flush(batch.map((w) => w.item)));
      } catch (error) {
        if (batch.length === 1) batch[0].reject(error);
        else await Promise.all(batch.map((w) => this.flushAlone(w)));
      }
    }
    this.running = false;
  }

  private async flushAlone(waiting: Waiting<T, R>): Promise<void> {
    try {
      settle([waiting], await this.flush([waiting.item]));
    } catch (error) {
      waiting.reject(error);
    }
  }
}

const settle = <T, R>(batch: readonly Waiting<T, R>[], results: readonly R[]): void => {
  if (results.length !== batch.length) {
    const error = new Error(`a group commit's flush answered ${results.length} results for ${batch.length} items`);
    for (const waiting of batch) waiting.reject(error);
    return;
  }
  batch.forEach((waiting, i) => waiting.resolve(results[i]));
};
