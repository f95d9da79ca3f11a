/**
 * `ovop audit replay --file b.json` or `ovop audit replay <nomination>`: replays an exported history, or the
 * nomination's history from Temporal or the history archive (run-history.ts), against the current workflow code and says whether
 * the code still takes the same path (OK) or not (non-deterministic, with the first diverging event). Exit code 1 on
 * any failure. Needs no server: the replay runs in this process.
 *
 * A signed audit bundle (ovop audit export) is checked first — signature, key, bytes, event-log chain — and a
 * tampered or unsigned one is refused before anything replays. A plain Temporal JSON history (the Web UI's or the
 * temporal CLI's download) replays with a warning that nothing vouches for it.
 */
import { historyFromJSON } from '../history-json';
import { Worker } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import {
  BUNDLE_FORMAT,
  checkBundle,
  isBundleShaped,
  looksLikeBundle,
  verificationKey,
  type AuditBundle,
} from '../audit-bundle';
import type { Context, Outcome } from '../context';
import { firstLine, refused, usage } from '../errors';
import { inferWorkflowId, type History } from '../history';
import { nominationHandle } from '../nomination';
import { chainSource, chainSourceText, workflowRunChain } from '../run-history';
import { bundleError, quietRuntime, replayOptions, verdictOf, verdictText, type WorkflowCodeOptions } from '../replay';

export async function auditReplay(
  ctx: Context,
  opts: { file?: string; nomination?: string; workflowId?: string; publicKey?: string } & WorkflowCodeOptions,
): Promise<Outcome> {
  if (opts.nomination && opts.file) throw usage('give a nomination or --file, not both');
  if (opts.nomination) return replayNomination(ctx, opts.nomination, opts);
  if (!opts.file) throw usage('give a nomination id, or --file with a bundle written by ovop audit export');
  const file = opts.file;
  const { history, continued, workflowId: recordedId, signedBy } = readHistoryFile(file, opts.publicKey);
  const workflowId = opts.workflowId ?? recordedId ?? inferWorkflowId(history) ?? 'ovop-replay';
  const { source } = replayOptions(opts);
  const runs = [history, ...continued];
  const { verdict, failedRun } = await replayChain(runs, workflowId, opts);
  const events = eventCount(runs);
  return {
    exitCode: verdict.ok ? 0 : 1,
    warnings: signedBy
      ? []
      : [
          `${file} is an unsigned Temporal history, not a signed audit bundle: nothing proves where it came from or that it is unchanged`,
        ],
    json: {
      file,
      workflowId,
      source: 'file',
      signed: signedBy ? { keyId: signedBy } : null,
      events,
      runs: runs.length,
      ...(failedRun && { failedRun }),
      code: source,
      ...verdict,
    },
    text: `${file} (${workflowId}, ${events} events${runsText(runs.length)}${signedBy ? `, signature of key ${signedBy} verified` : ', unsigned'}) against ${source}: ${failedAt(failedRun, runs.length)}${verdictText(verdict)}`,
  };
}

/** Replays a nomination's chain of runs, each from Temporal or, once Temporal no longer holds it, from the archive. */
async function replayNomination(ctx: Context, id: string, opts: WorkflowCodeOptions): Promise<Outcome> {
  const { ref } = await nominationHandle(ctx, id);
  const chain = await workflowRunChain(ctx, ref.workflowId);
  const runs = chain.map((r) => r.history);
  const code = replayOptions(opts).source;
  const { verdict, failedRun } = await replayChain(runs, ref.workflowId, opts);
  const events = eventCount(runs);
  return {
    exitCode: verdict.ok ? 0 : 1,
    json: {
      workflowId: ref.workflowId,
      runId: chain.at(-1)!.runId,
      source: chainSource(chain),
      events,
      runs: runs.length,
      ...(failedRun && { failedRun }),
      code,
      ...verdict,
    },
    text: `${ref.workflowId} (${events} events${runsText(runs.length)}, from ${chainSourceText(chain)}) against ${code}: ${failedAt(failedRun, runs.length)}${verdictText(verdict)}`,
  };
}

/** Replays every run of a chain (short runs), oldest first; the first that fails gives the verdict. */
async function replayChain(runs: History[], workflowId: string, code: WorkflowCodeOptions) {
  const { options, source } = replayOptions(code);
  quietRuntime();
  for (const [i, run] of runs.entries()) {
    try {
      await Worker.runReplayHistory(options, run, workflowId);
    } catch (err) {
      if ((err as Error).name !== 'DeterminismViolationError' && (err as Error).name !== 'ReplayError')
        throw bundleError(err, source);
      return { verdict: verdictOf(err, run), failedRun: i + 1 };
    }
  }
  return { verdict: verdictOf(undefined), failedRun: undefined };
}

const eventCount = (runs: History[]) => runs.reduce((sum, r) => sum + (r.events?.length ?? 0), 0);
const runsText = (n: number) => (n > 1 ? ` in ${n} runs` : '');
const failedAt = (run: number | undefined, n: number) => (run && n > 1 ? `run ${run}: ` : '');

export function readHistoryFile(
  path: string,
  publicKey?: string,
): { history: History; continued: History[]; workflowId?: string; signedBy?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw usage(`cannot read ${path}: ${firstLine(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    if (looksLikeBundle(text))
      throw refused(`${path} is a tampered audit bundle: it is no longer valid JSON (${firstLine(err)})`);
    throw usage(`cannot read ${path} as JSON: ${firstLine(err)}`);
  }
  let signedBy: string | undefined;
  let continuedRuns: { events: unknown[] }[] = [];
  if (isBundleShaped(data)) {
    if ((data as { format?: unknown }).format !== BUNDLE_FORMAT)
      throw refused(`${path} is a tampered audit bundle: its format is not ${BUNDLE_FORMAT}`);
    const bundle = data as AuditBundle;
    checkBundle(path, text, bundle, verificationKey(publicKey));
    signedBy = bundle.signature!.keyId;
    data = { workflowId: bundle.workflowId, events: bundle.events };
    continuedRuns = bundle.continuedRuns ?? [];
  }
  try {
    const history = historyFromJSON(data);
    const workflowId =
      typeof (data as { workflowId?: unknown }).workflowId === 'string'
        ? (data as { workflowId: string }).workflowId
        : undefined;
    if (!history.events?.length) throw new Error('it has no events');
    const continued = continuedRuns.map((r) => historyFromJSON({ events: r.events }));
    return { history, continued, workflowId, signedBy };
  } catch (err) {
    throw usage(`${path} is not a Temporal workflow history (${firstLine(err)}); write one with ovop audit export`);
  }
}
