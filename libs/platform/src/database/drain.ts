/**
 * Runs `step` (one bounded batch, returning how many rows it handled) until a batch comes back
 * short: a backlog is cleared in batches, an idle table costs one statement.
 */
export const drainBatches = async (batchSize: number, step: (limit: number) => Promise<number>): Promise<number> => {
  let total = 0;
  for (;;) {
    const done = await step(batchSize);
    total += done;
    if (done < batchSize) return total;
  }
};
