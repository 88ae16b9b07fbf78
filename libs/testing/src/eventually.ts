/**
 * Re-checks `probe` until it stops throwing (it asserts a state reached asynchronously, e.g. a
 * row written by a consumer), then returns its result. Fails with the last assertion error.
 */
export const eventually = async <T>(
  probe: () => T | Promise<T>,
  options: { readonly timeoutMs?: number; readonly intervalMs?: number } = {},
): Promise<T> => {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
    }
  }
};
