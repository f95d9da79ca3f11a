/**
 * Loading items ahead of their consumer, with at most `ahead` loaded or loading at once, in the source's order. It
 * starts loading when called (not at the first read), so that the loads overlap whatever the caller does first.
 * (The Temporal client's `intoHistories` takes a buffer limit in its types but does not pass it on, and loads every
 * history of a large cycle into memory when the replay is slower than the fetches.)
 */
export function prefetch<T, R>(
  items: AsyncIterable<T>,
  load: (item: T) => Promise<R>,
  ahead: number,
): AsyncIterable<R> {
  const source = items[Symbol.asyncIterator]();
  const queue: Promise<R>[] = [];
  let exhausted = false;
  let failure: { error: unknown } | undefined;
  let filling: Promise<void> | undefined;
  const fillOnce = async () => {
    try {
      while (!exhausted && queue.length < ahead) {
        const next = await source.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const loading = load(next.value);
        // Awaited in order later; until then a failure must not count as unhandled.
        loading.catch(() => {});
        queue.push(loading);
      }
    } catch (error) {
      // Kept for the consumer: a listing that fails must end the stream with its error, not end it quietly.
      failure ??= { error };
    }
  };
  // The fill in progress is forgotten only once it has settled: a fill with a full queue finishes without awaiting,
  // and clearing it from inside would run before it was remembered, leaving a finished fill in place for ever (the
  // stream then ended early, and `audit verify` checked a prefix of the cycle).
  const fill = () =>
    (filling ??= fillOnce().finally(() => {
      filling = undefined;
    }));
  const started = fill();

  return {
    async *[Symbol.asyncIterator]() {
      await started;
      for (;;) {
        if (queue.length === 0) {
          await fill();
          if (failure) throw failure.error;
          if (queue.length === 0) return;
        }
        const item = await queue.shift()!;
        void fill();
        yield item;
      }
    },
  };
}
