/**
 * Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order.
 *
 * On the first failure no further items are started, but the calls already in flight are awaited before the first
 * error is rethrown: a caller that tears down (closes the client connection) right after a rejection would otherwise
 * pull the channel from under requests still retrying, and grpc-js throws "Channel has been shut down" from a timer,
 * an uncaught exception that hides the original error.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const lane = async () => {
    for (;;) {
      if (failed) return;
      const i = next++;
      if (i >= items.length) return;
      try {
        results[i] = await fn(items[i], i);
      } catch (err) {
        if (!failed) {
          failed = true;
          firstError = err;
        }
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failed) throw firstError;
  return results;
}
