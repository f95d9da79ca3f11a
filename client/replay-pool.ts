/**
 * Replaying many histories at once: a replay worker replays one history at a time, so `workers` of them (one bundle,
 * one workflow thread each) take histories from one shared stream and their verdicts come back as each finishes.
 *
 * Each history has a deadline: the SDK reports a history's result only when the replay worker evicts the run, and
 * nothing in it bounds the wait, so a replay that never ends would stall every history behind it. A history past its
 * deadline gets a `timedOut` outcome (no verdict on the code: a timeout is not evidence of nondeterminism), its replay
 * worker is shut down and left to finish on its own, and a fresh one takes the rest of the stream.
 */
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import type { History } from './history';
import { encodedFailureMessage } from './core-failure';

export interface HistoryToReplay {
  workflowId: string;
  history: History;
}

export interface ReplayOutcome<T extends HistoryToReplay> {
  /** The input the verdict is for, as it was given (a result carries no history of its own). */
  input: T;
  runId: string;
  error?: unknown;
  /** The replay did not finish within its deadline: `error` is a ReplayTimeoutError and the code is not judged. */
  timedOut?: boolean;
}

export interface ReplayGuard<T extends HistoryToReplay> {
  /** How long this history's replay may take, in milliseconds (none: no bound). */
  deadlineMs?: (input: T) => number;
  /** Told as each replay starts, to log it: a hang is then visible as a start with no end. */
  onStart?: (input: T, worker: number) => void;
}

/** A replay that did not finish within its deadline. */
export class ReplayTimeoutError extends Error {
  override name = 'ReplayTimeoutError';
  constructor(readonly deadlineMs: number) {
    super(`the replay did not finish within ${formatSeconds(deadlineMs)}; the code was not judged on this history`);
  }
}

/** The time a replay worker is given to stop after a timeout before it is left behind regardless. */
const SHUTDOWN_FORCE_TIME = '10s';

/**
 * Replays every history of `histories` on `workers` replay workers; yields each outcome as it arrives (not in input
 * order). A worker that fails as a whole (a bundle that does not load) ends the stream with its error.
 */
export async function* replayInParallel<T extends HistoryToReplay>(
  options: ReplayWorkerOptions,
  histories: AsyncIterable<T> | Iterable<T>,
  workers: number,
  guard: ReplayGuard<T> = {},
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
  const deliver = (outcome: ReplayOutcome<T>) => {
    outcomes.push(outcome);
    notify();
  };

  // No worker takes a history before every worker exists: the SDK's runtime shuts itself down when its last worker
  // goes, so a worker done with a short stream would otherwise fail the creation of one still starting.
  const created = Array.from({ length: running }, () => {
    let resolve: () => void = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  });
  const allCreated = Promise.all(created.map((c) => c.promise));

  const runWorker = async (index: number) => {
    // The worker of a session that timed out, shut down once the next session's worker exists: the SDK's runtime
    // shuts itself down when its last worker goes, which would fail the next one being created.
    let retire: (() => void) | undefined;
    const retireOld = () => {
      retire?.();
      retire = undefined;
    };
    try {
      // A session ends when the stream does, or when one of its histories times out: a fresh replay worker goes on.
      for (let session = 0; !failure; session++) {
        const ended = await replaySession(
          options,
          source,
          guard,
          { index, session },
          deliver,
          () => !!failure,
          () => {
            created[index].resolve();
            retireOld();
          },
          allCreated,
        );
        retireOld();
        if (!ended.timedOut) break;
        retire = ended.retire;
      }
    } catch (error) {
      failure ??= { error };
    } finally {
      created[index].resolve();
      retireOld();
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

type SessionEnd = { timedOut: false } | { timedOut: true; retire: () => void };

/**
 * One replay worker's life: replays histories from `source` until it ends, or until one of them passes its deadline
 * (then `retire` shuts the worker down, and the caller starts another session). `started` is told once the worker
 * exists; it takes no history before `allCreated`.
 */
async function replaySession<T extends HistoryToReplay>(
  options: ReplayWorkerOptions,
  source: AsyncIterator<T>,
  guard: ReplayGuard<T>,
  { index, session }: { index: number; session: number },
  deliver: (outcome: ReplayOutcome<T>) => void,
  stopped: () => boolean,
  started: () => void,
  allCreated: Promise<unknown>,
): Promise<SessionEnd> {
  // The SDK creates the replay worker inside its generator; this subclass hands it over, to be shut down on a timeout.
  let worker: Worker | undefined;
  class HandedOverWorker extends Worker {
    constructor(...args: unknown[]) {
      // @ts-expect-error -- the SDK's protected constructor, called with the arguments it was given
      super(...args);
      // eslint-disable-next-line @typescript-eslint/no-this-alias -- the instance is the handle this subclass exists for
      worker = this;
      started();
    }
  }
  // The SDK replays one history at a time per worker; its results carry the workflow id it was given.
  const inFlight = new Map<string, T[]>();
  // One history is in flight at a time: its timer, when it has a deadline, settles `timeout` with it.
  let timer: NodeJS.Timeout | undefined;
  let fire: (late: { input: T; ms: number }) => void = () => {};
  const timeout = new Promise<{ input: T; ms: number }>((resolve) => (fire = resolve));
  let retired = false;
  async function* feed() {
    await allCreated;
    while (!retired && !stopped()) {
      const next = await source.next();
      if (next.done) return;
      const input = next.value;
      const key = input.workflowId;
      inFlight.set(key, [...(inFlight.get(key) ?? []), input]);
      guard.onStart?.(input, index);
      const ms = guard.deadlineMs?.(input);
      if (ms !== undefined) timer = setTimeout(() => fire({ input, ms }), ms);
      yield { workflowId: key, history: input.history };
    }
  }
  const replayName = `${options.replayName ?? 'replay'}-${index}${session > 0 ? `-${session}` : ''}`;
  const results = HandedOverWorker.runReplayHistories(
    // A replay worker shut down after a timeout stops within this time even if its run never drains.
    { shutdownForceTime: SHUTDOWN_FORCE_TIME, ...options, replayName },
    feed(),
  );
  try {
    for (;;) {
      const next = results.next();
      const first = await Promise.race([next.then((result) => ({ result })), timeout.then((late) => ({ late }))]);
      if ('late' in first) {
        const { input, ms } = first.late;
        // The old worker's feed asks for no more: the rest of the stream is the next session's.
        retired = true;
        deliver({ input, runId: startedRunId(input.history), error: new ReplayTimeoutError(ms), timedOut: true });
        const retire = () => {
          try {
            worker?.shutdown();
          } catch {
            // Already stopping: it ends on its own.
          }
          // The old worker finishes (or fails) in the background; its late result, if any, is not reported.
          void next.then(() => results.return?.(undefined)).catch(() => {});
        };
        return { timedOut: true, retire };
      }
      clearTimeout(timer);
      if (first.result.done) return { timedOut: false };
      const r = first.result.value;
      const input = inFlight.get(r.workflowId)?.shift();
      if (!input) throw new Error(`replay result for ${r.workflowId}, which was not given`);
      deliver({ input, runId: r.runId, error: r.error, ...(isIsolateTimeout(r.error) ? { timedOut: true } : {}) });
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether a replay failed because one activation ran past the replay worker's `isolateExecutionTimeout` (the SDK's
 * deadlock detector, which a loaded machine trips too): not a verdict on the code either. The failure's message is
 * in its encoded attributes (core-failure.ts), whose start names the timeout.
 */
export function isIsolateTimeout(error: unknown): boolean {
  const text = (error as Error | undefined)?.message;
  if (!text) return false;
  if (text.includes('Script execution timed out')) return true;
  return encodedFailureMessage(text)?.startsWith('Script execution tim') ?? false;
}

/** The run id a history's started event names, as the SDK reports it. */
function startedRunId(history: History): string {
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  return started?.originalExecutionRunId ?? '';
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
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
