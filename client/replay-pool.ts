/**
 * Replaying many histories at once: a replay worker replays one history at a time, so `workers` of them (one bundle,
 * one workflow thread each) take histories from one shared stream and their verdicts come back as each finishes.
 */
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import type { History } from './history';

export interface HistoryToReplay {
  workflowId: string;
  history: History;
}

export interface ReplayOutcome<T extends HistoryToReplay> {
  /** The input the verdict is for, as it was given (a result carries no history of its own). */
  input: T;
  runId: string;
  error?: unknown;
}

/**
 * Replays every history of `histories` on `workers` replay workers; yields each outcome as it arrives (not in input
 * order). A worker that fails as a whole (a bundle that does not load) ends the stream with its error.
 */
export async function* replayInParallel<T extends HistoryToReplay>(
  options: ReplayWorkerOptions,
  histories: AsyncIterable<T> | Iterable<T>,
  workers: number,
): AsyncGenerator<ReplayOutcome<T>> {
  const source = toAsyncIterator(histories);
  // One queue for the outcomes of all workers; `wake` resolves the consumer's wait when something arrives.
  const outcomes: ReplayOutcome<T>[] = [];
  let failure: { error: unknown } | undefined;
  let running = Math.max(1, Math.floor(workers));
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };

  const runWorker = async (index: number) => {
    // Each worker pulls the next history only when it is free; the SDK replays one at a time per worker, and its
    // results carry the workflow id it was given, which maps back to the input.
    const inFlight = new Map<string, T[]>();
    async function* feed() {
      while (!failure) {
        const next = await source.next();
        if (next.done) return;
        const key = next.value.workflowId;
        inFlight.set(key, [...(inFlight.get(key) ?? []), next.value]);
        yield { workflowId: key, history: next.value.history };
      }
    }
    try {
      const replayName = `${options.replayName ?? 'replay'}-${index}`;
      for await (const r of Worker.runReplayHistories({ ...options, replayName }, feed())) {
        const input = inFlight.get(r.workflowId)?.shift();
        if (!input) throw new Error(`replay result for ${r.workflowId}, which was not given`);
        outcomes.push({ input, runId: r.runId, error: r.error });
        notify();
      }
    } catch (error) {
      failure ??= { error };
    } finally {
      running--;
      notify();
    }
  };
  const done = Promise.all(Array.from({ length: running }, (_, i) => runWorker(i)));

  try {
    for (;;) {
      if (outcomes.length > 0) {
        yield outcomes.shift()!;
        continue;
      }
      if (failure) throw failure.error;
      if (running === 0) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    // A consumer that stops early, or a failure, stops the other workers after their current history.
    failure ??= { error: new Error('replay stopped') };
    await done;
  }
}

/** One iterator shared by all workers: each `next()` is taken by whichever worker asks first. */
function toAsyncIterator<T>(items: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in items) {
    const it = items[Symbol.asyncIterator]();
    // Calls made while one is pending wait their turn, as an async generator's would.
    let last: Promise<unknown> = Promise.resolve();
    return {
      next: () => {
        const result = last.then(() => it.next());
        last = result.catch(() => {});
        return result;
      },
    };
  }
  const it = items[Symbol.iterator]();
  return { next: async () => it.next() };
}
