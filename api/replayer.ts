/**
 * The API's replayer (the auditor's replay status, #14): replays workflow histories on the workflow code this API
 * runs, in the background and off the request path — the code is bundled once, at the first need, and replays run on
 * one replay worker, for the API's whole life, whose workflow code runs in a worker thread (`debugMode: false`), so a
 * page never waits for one.
 * Each verdict is stored by (workflow id, run id, history SHA-256, bundle SHA-256) (db/replay-verdicts.ts): a run is
 * replayed once per release, and `ovop audit verify` reads the same verdicts.
 * A replay past its deadline (OVOP_REPLAY_TIMEOUT_SECONDS, client/replay-deadline.ts) leaves its run undecided, not
 * failed: nothing is stored, the replay worker is replaced and the queue goes on; the run is tried once more when
 * asked again, and after a second timeout it stays undecided until the API restarts.
 */
import type { ReplayWorkerOptions } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import { readFile } from 'node:fs/promises';
import type { History } from '../client/history';
import { bundleSha256, replayOptions, verdictOf, withPrebuiltBundle } from '../client/replay';
import { replayDeadlineMs } from '../client/replay-deadline';
import { replayInParallel } from '../client/replay-pool';
import type { Database } from '../db/database';
import { copyHistory } from '../db/history-archive';
import { storeVerdict, verdictKey, type VerdictKey } from '../db/replay-verdicts';

export interface ReplayJob extends VerdictKey {
  history: History;
}

/** The workflow code replays run on, and the SHA-256 of its bundle (the release a verdict is for). */
export interface ReplayCode {
  options: ReplayWorkerOptions;
  bundleSha256: string;
}

/** The SDK's own activation bound for workflow code in a worker thread; never less than it. */
const SDK_ISOLATE_TIMEOUT_MS = 5_000;

/**
 * Bundles the workflow code (or reads the given bundle) and hashes it. `timeoutSeconds` bounds one activation as the
 * replay deadline bounds one replay: the SDK's default for a worker thread (5 s, its deadlock detector) is tripped by a
 * loaded machine, and the failed workflow task it causes would read as a failed replay (replay-pool.ts tells it apart).
 */
export async function loadReplayCode(bundlePath: string | undefined, timeoutSeconds: number): Promise<ReplayCode> {
  const { options, source } = replayOptions(bundlePath ? { workflowBundle: bundlePath } : {});
  const built = await withPrebuiltBundle(options, source);
  const bundle = built.workflowBundle!;
  const code = 'code' in bundle ? bundle.code : await readFile(bundle.codePath, 'utf8');
  const sha = await bundleSha256({ workflowBundle: { code } });
  return {
    // The workflow code in a worker thread, so the API's event loop keeps answering while a history replays: the SDK
    // makes replay workers `debugMode` (the main thread) unless the options say otherwise, which its type leaves out,
    // as it leaves out the activation bound (read all the same).
    options: {
      ...built,
      workflowBundle: { code },
      workflowThreadPoolSize: 1,
      replayName: 'ovop-api-audit',
      ...({
        debugMode: false,
        isolateExecutionTimeout: Math.max(SDK_ISOLATE_TIMEOUT_MS, Math.ceil(timeoutSeconds * 1000)),
      } as object),
    },
    bundleSha256: sha,
  };
}

/** Where the replayer reports: each replay's start (debug, so a hang shows as a start with no verdict), a timeout
 * (warn), and what went wrong (error). */
export interface ReplayerLog {
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(message: string, err?: unknown): void;
}

export interface ReplayerOptions {
  /** The workflow bundle replays run on (OVOP_WORKFLOW_BUNDLE); bundled from source when not given. */
  bundlePath?: string;
  /** One replay's deadline for a history of up to 1,000 events (OVOP_REPLAY_TIMEOUT_SECONDS). */
  timeoutSeconds: number;
  log: ReplayerLog;
}

/** A history whose replay did not finish in time: how often, and the deadline it had. */
export interface Undecided {
  timeouts: number;
  deadlineMs: number;
}

/** A run is replayed at most this many times when each replay times out; then it stays undecided. */
const REPLAYS_BEFORE_UNDECIDED = 2;

export class Replayer {
  private code: Promise<ReplayCode> | undefined;
  private ready: ReplayCode | undefined;
  private failure: string | undefined;
  /** One job per run: a run still open grows, and only its latest history is worth replaying. */
  private readonly queue = new Map<string, ReplayJob>();
  private readonly pending = new Set<string>();
  private readonly undecided = new Map<string, Undecided>();
  private wake: (() => void) | undefined;
  private closed = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: ReplayerOptions,
  ) {}

  /** The bundle's SHA-256 once the code is loaded; starts loading it on the first call. */
  bundleSha256(): string | undefined {
    this.start();
    return this.ready?.bundleSha256;
  }

  /** The bundle's SHA-256 when the code is loaded (loading it if need be); rejects when it cannot be. */
  async whenReady(): Promise<string> {
    this.start();
    return (await this.code!).bundleSha256;
  }

  /** Why replays cannot run (the code did not bundle, the replay worker failed), if so. */
  get unavailable(): string | undefined {
    return this.failure;
  }

  isPending(key: VerdictKey): boolean {
    return this.pending.has(verdictKey(key));
  }

  get queued(): number {
    return this.pending.size;
  }

  /** The history's replays that timed out, if any (no verdict is stored for a timeout). */
  undecidedOf(key: VerdictKey): Undecided | undefined {
    return this.undecided.get(verdictKey(key));
  }

  /** Whether the history's replays timed out too often to be tried again (until the API restarts). */
  gaveUp(key: VerdictKey): boolean {
    return (this.undecidedOf(key)?.timeouts ?? 0) >= REPLAYS_BEFORE_UNDECIDED;
  }

  /**
   * Queues a history to replay unless it is queued already; its verdict is stored when done. A history whose replays
   * timed out too often is not queued again: false.
   */
  enqueue(job: ReplayJob): boolean {
    if (this.closed) return true;
    const key = verdictKey(job);
    if (this.pending.has(key)) return true;
    if (this.gaveUp(job)) return false;
    const run = `${job.workflowId}\u0000${job.runId}`;
    const older = this.queue.get(run);
    if (older) this.pending.delete(verdictKey(older));
    this.pending.add(key);
    this.queue.set(run, job);
    this.start();
    this.wake?.();
    return true;
  }

  private start(): void {
    if (this.code || this.closed) return;
    this.code = loadReplayCode(this.options.bundlePath, this.options.timeoutSeconds);
    this.loop = this.run().catch((err: unknown) => {
      this.failure = (err as Error).message ?? String(err);
      this.options.log.error('the replayer stopped', err);
    });
  }

  private async run(): Promise<void> {
    const code = await this.code!;
    this.ready = code;
    await this.replaySession(code, this.jobs());
  }

  /** The queue as one endless stream for one replay worker; it ends when the replayer closes. */
  private async *jobs(): AsyncGenerator<ReplayJob> {
    let replays = 0;
    while (!this.closed) {
      const [run, next] = this.queue.entries().next().value ?? [];
      if (run === undefined || !next) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      this.queue.delete(run);
      replays += 1;
      yield { ...next, history: underOwnKey(next.history, replays) };
    }
  }

  private async replaySession(code: ReplayCode, jobs: AsyncIterable<ReplayJob>): Promise<void> {
    const { log, timeoutSeconds } = this.options;
    const events = (job: ReplayJob) => job.history.events?.length ?? 0;
    const guard = {
      deadlineMs: (job: ReplayJob) => replayDeadlineMs(timeoutSeconds, events(job)),
      onStart: (job: ReplayJob) =>
        log.debug({ workflowId: job.workflowId, runId: job.runId, events: events(job) }, 'replay started'),
    };
    for await (const r of replayInParallel(code.options, jobs, 1, guard)) {
      const verdict = verdictOf(r.error, r.input.history);
      if (r.timedOut) {
        this.timedOut(r.input, guard.deadlineMs(r.input));
        continue;
      }
      this.undecided.delete(verdictKey(r.input));
      try {
        await storeVerdict(this.db, {
          workflowId: r.input.workflowId,
          runId: r.input.runId,
          historySha256: r.input.historySha256,
          bundleSha256: code.bundleSha256,
          ok: verdict.ok,
          kind: verdict.kind,
          message: verdict.message,
          divergesAt: verdict.divergesAt?.eventId,
          eventCount: r.input.history.events?.length ?? 0,
        });
      } catch (err) {
        log.error(`could not store the replay verdict of ${r.input.workflowId} (run ${r.input.runId})`, err);
      } finally {
        this.pending.delete(verdictKey(r.input));
      }
    }
  }

  /**
   * A replay past its deadline is no verdict on the code: nothing is stored. The history goes to the back of the queue
   * for one more try (a busy moment passes), unless a newer history of its run is queued; then it stays undecided.
   */
  private timedOut(job: ReplayJob, deadlineMs: number): void {
    const key = verdictKey(job);
    const timeouts = (this.undecided.get(key)?.timeouts ?? 0) + 1;
    this.undecided.set(key, { timeouts, deadlineMs });
    const run = `${job.workflowId}\u0000${job.runId}`;
    const retry = timeouts < REPLAYS_BEFORE_UNDECIDED && !this.closed && !this.queue.has(run);
    this.options.log.warn(
      { workflowId: job.workflowId, runId: job.runId, events: job.history.events?.length ?? 0, timeouts, deadlineMs },
      `replay timed out after ${deadlineMs} ms; ${retry ? 'queued again' : 'left undecided'}`,
    );
    if (retry) {
      this.queue.set(run, job);
      this.wake?.();
    } else this.pending.delete(key);
  }

  /** Stops after the history being replayed; what is still queued is dropped (asked again at the next look). */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.clear();
    this.wake?.();
    await this.loop;
  }
}

/**
 * A copy of the history that the replay worker takes as a run it has not seen: the worker keys a run by the run id in
 * its started event and never answers for a run it has replayed already (an open run's newer history would wait
 * forever). The workflow code never reads its run id, so the verdict is the history's own.
 */
function underOwnKey(history: History, replay: number): History {
  const copy = copyHistory(history);
  const started = copy.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (started) started.originalExecutionRunId = `${started.originalExecutionRunId ?? ''}~replay-${replay}`;
  return copy;
}
