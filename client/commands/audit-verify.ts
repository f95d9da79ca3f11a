/**
 * `ovop audit verify <cycle>`: checks the hash chain of every nomination's event log in PostgreSQL (when DATABASE_URL
 * is set; docs/event-chain.md) and replays every workflow of a cycle (its nominations, found by the OvopCycle search
 * attribute, and every run of the cycle workflow itself) against the current code. Exit code 1 on any failure.
 *
 * The code is bundled once while the first histories are fetched; histories stream from the server, or from the
 * history archive for runs Temporal no longer holds (cycle-histories.ts), a batch at a time, to several replay workers
 * (replay-pool.ts), so memory stays flat however large the cycle. Each result names its source.
 * A replay that does not finish within its deadline (OVOP_REPLAY_TIMEOUT_SECONDS, replay-deadline.ts) is reported as
 * `timed out`: not decided, neither passed nor failed, and not stored; its replay worker is replaced and the others go
 * on. Like a failure it leaves the cycle unverified (exit code 1).
 */
import { availableParallelism } from 'node:os';
import { checkCycleChains, type CycleChains } from '../../db/event-chain-read';
import { cycleWorkflowsQuery, projectedNominationIds } from '../cycle-runs';
import { cycleHistories, SOURCES, type LoadedRun, type SourceChoice } from '../cycle-histories';
import { archivedRunsOfCycle } from '../../db/history-archive';
import type { Context, Outcome } from '../context';
import { refused, usage } from '../errors';
import { parseCycleId } from '../ids';
import { progress, table } from '../output';
import { sourceText, type HistorySource } from '../run-history';
import {
  bundleError,
  bundleSha256,
  quietRuntime,
  replayOptions,
  verdictOf,
  verdictText,
  withPrebuiltBundle,
  type ReplayVerdict,
  type WorkflowCodeOptions,
} from '../replay';
import { replayDeadlineMs, replayTimeoutSecondsFromEnv } from '../replay-deadline';
import { replayInParallel } from '../replay-pool';
import { historySha256 } from '../../db/history-archive';
import {
  storedVerdicts,
  storeVerdict,
  verdictKey,
  type StoredVerdict,
  type VerdictKey,
} from '../../db/replay-verdicts';

/** Histories looked up in PostgreSQL's stored verdicts at once. */
const STORED_BATCH = 64;

/** The items of a stream in arrays of up to `size`. */
async function* inBatches<T>(items: AsyncIterable<T>, size: number): AsyncIterable<T[]> {
  const batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) yield batch.splice(0);
  }
  if (batch.length > 0) yield batch;
}

const verdictOfStored = (v: StoredVerdict): ReplayVerdict =>
  v.ok
    ? { ok: true }
    : {
        ok: false,
        kind: (v.kind ?? 'replay failed') as ReplayVerdict['kind'],
        message: v.message ?? '',
        ...(v.diverges_at !== null ? { divergesAt: { eventId: v.diverges_at } } : {}),
      };

/**
 * Replay workers: one per core, at most 4. The SDK runs replayed workflows on the main thread, so more workers only
 * overlap its JavaScript with its native side and with the fetches; they help only where cores are idle.
 */
export function defaultReplayJobs(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}

export async function auditVerify(
  ctx: Context,
  cycleArg: string,
  opts: WorkflowCodeOptions & { jobs?: string; source?: string; replayAll?: boolean },
): Promise<Outcome> {
  const sourceChoice = (opts.source ?? 'auto') as SourceChoice;
  if (!SOURCES.includes(sourceChoice)) throw usage(`--source must be one of ${SOURCES.join(', ')}, not ${opts.source}`);
  if (sourceChoice === 'archive' && !ctx.hasDatabase)
    throw usage('DATABASE_URL is not set; --source archive reads the history archive in PostgreSQL');
  const cycleId = parseCycleId(cycleArg);
  const jobs = opts.jobs === undefined ? defaultReplayJobs() : Number(opts.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)
    throw usage(`--jobs must be a whole number from 1 to 64, not ${opts.jobs}`);
  const { options, source } = replayOptions(opts);
  let timeoutSeconds: number;
  try {
    timeoutSeconds = replayTimeoutSecondsFromEnv();
  } catch (err) {
    throw usage((err as Error).message);
  }
  // The chains first: a quick read of PostgreSQL, and its verdict stands whatever the replays say.
  const chains: CycleChains | undefined = ctx.hasDatabase
    ? await checkCycleChains(await ctx.db('audit verify'), cycleId)
    : undefined;
  const { client } = await ctx.temporal();
  const query = cycleWorkflowsQuery(cycleId);
  const { count } = await ctx.call(client.workflow.count(query), `the count of cycle ${cycleId}'s workflows`);
  // The projection completes visibility's listing (eventually consistent) and names what Temporal no longer holds.
  const db = ctx.hasDatabase ? await ctx.db('audit verify') : undefined;
  const projected = db ? await projectedNominationIds(db, cycleId) : [];
  const archivedRuns = db && sourceChoice !== 'temporal' ? (await archivedRunsOfCycle(db, cycleId)).length : 0;
  if (count === 0 && projected.length === 0 && archivedRuns === 0)
    throw refused(`no workflows of cycle ${cycleId} (visibility query: ${query})`);
  const warnings = ctx.hasDatabase
    ? []
    : [
        'DATABASE_URL is not set: the nominations are those Temporal visibility lists, which may lag behind the newest starts',
      ];

  quietRuntime();
  // The cycle workflow's runs and its nominations; visibility may not have counted the newest ones yet.
  const bar = progress(Math.max(count, projected.length + 1, archivedRuns), 'replaying', { json: ctx.json });
  const missing: string[] = [];
  const results: { workflowId: string; runId: string; source: HistorySource | null; verdict: ReplayVerdict }[] = [];
  // Loading starts while the code is bundled; a few batches of histories wait in memory at most.
  const loaded = cycleHistories(
    client,
    db,
    { cycleId, query, projected, source: sourceChoice, batchesAhead: 2 },
    missing,
  );
  let fromStore = 0;
  let storeFailure: string | undefined;
  try {
    const prebuilt = await withPrebuiltBundle(options, source);
    // Verdicts are stored and looked up by the history's and the bundle's SHA-256 (db/replay-verdicts.ts): the same
    // bytes on the same code are replayed once, here or by the API's replayer; anything changed is replayed again.
    const bundle = db ? await bundleSha256(prebuilt) : undefined;
    // An archived history whose bytes fail their check is reported, before any verdict is looked up; a history with a
    // stored verdict on this code is reported with it; the others are replayed.
    async function* replayable() {
      for await (const batch of inBatches(loaded, STORED_BATCH)) {
        const whole: (Extract<LoadedRun, { history: unknown }> & VerdictKey)[] = [];
        for (const run of batch) {
          if ('history' in run) {
            whole.push({ ...run, historySha256: bundle ? historySha256(run.history) : '' });
            continue;
          }
          results.push({
            workflowId: run.workflowId,
            runId: run.runId,
            source: run.source,
            verdict: { ok: false, kind: 'archive changed', message: run.changed.message },
          });
          bar.increment(run.workflowId.split('/').pop());
        }
        const stored = db && bundle && !opts.replayAll ? await storedVerdicts(db, bundle, whole) : undefined;
        for (const run of whole) {
          const found = stored?.get(verdictKey(run));
          if (!found) {
            yield run;
            continue;
          }
          fromStore++;
          results.push({
            workflowId: run.workflowId,
            runId: run.runId,
            source: run.source,
            verdict: verdictOfStored(found),
          });
          bar.increment(run.workflowId.split('/').pop());
        }
      }
    }
    const events = (run: { history: { events?: unknown[] | null } }) => run.history.events?.length ?? 0;
    const guard = {
      deadlineMs: (run: { history: { events?: unknown[] | null } }) => replayDeadlineMs(timeoutSeconds, events(run)),
      // OVOP_DEBUG=1: each replay's start, so a replay that hangs is named.
      onStart: process.env.OVOP_DEBUG
        ? (run: { workflowId: string; runId: string; history: { events?: unknown[] | null } }, worker: number) =>
            console.error(
              `replay started: ${run.workflowId} run ${run.runId} (${events(run)} events) on worker ${worker}`,
            )
        : undefined,
    };
    // Each outcome carries the history it was replayed from, to name the event a failed replay diverged at.
    for await (const r of replayInParallel(prebuilt, replayable(), jobs, guard)) {
      const verdict = verdictOf(r.error, r.input.history);
      results.push({ workflowId: r.input.workflowId, runId: r.runId, source: r.input.source, verdict });
      bar.increment(r.input.workflowId.split('/').pop());
      // A timeout is no verdict on the code: nothing is stored, the next verify replays the history again.
      if (db && bundle && !r.timedOut)
        await storeVerdict(db, {
          workflowId: r.input.workflowId,
          runId: r.input.runId,
          historySha256: r.input.historySha256,
          bundleSha256: bundle,
          ok: verdict.ok,
          kind: verdict.kind,
          message: verdict.message,
          divergesAt: verdict.divergesAt?.eventId,
          eventCount: r.input.history.events?.length ?? 0,
        }).catch((err: unknown) => (storeFailure ??= (err as Error).message));
    }
  } catch (err) {
    throw bundleError(err, source);
  } finally {
    bar.stop();
  }

  for (const workflowId of missing) {
    results.push({
      workflowId,
      runId: '',
      source: null,
      verdict: {
        ok: false,
        kind: 'missing',
        message:
          sourceChoice === 'temporal'
            ? 'PostgreSQL records this nomination but Temporal holds no history of it (deleted after the retention, or never started)'
            : 'PostgreSQL records this nomination but neither Temporal nor the history archive holds a history of it (deleted after the retention before it was archived, or never started)',
      },
    });
  }
  // Replays finish in any order; the report lists them in a stable one.
  results.sort((a, b) => a.workflowId.localeCompare(b.workflowId) || a.runId.localeCompare(b.runId));
  const failures = results.filter((r) => !r.verdict.ok);
  const undecided = failures.filter((r) => r.verdict.kind === 'timed out').length;
  const fromEach = (s: HistorySource) => results.filter((r) => r.source === s).length;
  const sources = { temporal: fromEach('temporal'), archive: fromEach('archive') };
  const replayed = results.length - missing.length;
  const lines = [
    ...chainLines(cycleId, chains),
    `Replayed ${replayed} workflow run${replayed === 1 ? '' : 's'} of cycle ${cycleId} (${sources.temporal} from ${sourceText('temporal')}, ${sources.archive} from ${sourceText('archive')}) against ${source}: ${failures.length === 0 ? 'all OK' : failedText(failures.length - undecided, undecided)}${missing.length > 0 ? ` (${missing.length} missing${sourceChoice === 'temporal' ? ' from Temporal' : ''})` : ''}${fromStore > 0 ? `; ${fromStore} by the verdict stored for the same history on the same code` : ''}.`,
  ];
  if (failures.length > 0) {
    lines.push(
      '',
      table(
        ['workflow', 'run', 'source', 'result'],
        failures.map((f) => [f.workflowId, f.runId, f.source ?? '-', verdictText(f.verdict)]),
      ),
    );
  }
  return {
    warnings: [
      ...warnings,
      ...(chains ? [] : ['event-log chains not checked: DATABASE_URL is not set']),
      ...(storeFailure ? [`the verdicts were not stored in PostgreSQL (replay_verdicts): ${storeFailure}`] : []),
    ],
    exitCode: failures.length > 0 || (chains?.broken.length ?? 0) > 0 ? 1 : 0,
    json: {
      cycleId,
      chains: chains ?? null,
      code: source,
      sourceChoice,
      sources,
      replayed,
      stored: fromStore,
      missing: missing.length,
      failed: failures.length - undecided,
      timedOut: undecided,
      results: results.map((r) => ({ workflowId: r.workflowId, runId: r.runId, source: r.source, ...r.verdict })),
    },
    text: lines.join('\n'),
  };
}

/** "3 failed", "3 failed, 1 not decided (its replay timed out)", "2 not decided (their replays timed out)". */
function failedText(failed: number, undecided: number): string {
  if (undecided === 0) return `${failed} failed`;
  const notDecided = `${undecided} not decided (${undecided === 1 ? 'its replay' : 'their replays'} timed out)`;
  return failed === 0 ? notDecided : `${failed} failed, ${notDecided}`;
}

function chainLines(cycleId: string, chains: CycleChains | undefined): string[] {
  if (!chains) return [];
  const head = `Event log of cycle ${cycleId}: ${chains.events} rows in ${chains.nominations} nomination chain${chains.nominations === 1 ? '' : 's'}, ${chains.broken.length === 0 ? 'all intact' : `${chains.broken.length} broken`}.`;
  if (chains.broken.length === 0) return [head, ''];
  return [
    head,
    '',
    table(
      ['nomination', 'link', 'seq', 'field', 'expected', 'found'],
      chains.broken.map((b) => [b.workflowId, String(b.chainIndex), String(b.seq), b.field, b.expected, b.found]),
    ),
    '',
  ];
}
