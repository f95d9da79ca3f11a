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
import { sourceText, workflowHistory } from '../run-history';
import { bundleError, quietRuntime, replayOptions, verdictOf, verdictText, type WorkflowCodeOptions } from '../replay';

export async function auditReplay(
  ctx: Context,
  opts: { file?: string; nomination?: string; workflowId?: string; publicKey?: string } & WorkflowCodeOptions,
): Promise<Outcome> {
  if (opts.nomination && opts.file) throw usage('give a nomination or --file, not both');
  if (opts.nomination) return replayNomination(ctx, opts.nomination, opts);
  if (!opts.file) throw usage('give a nomination id, or --file with a bundle written by ovop audit export');
  const file = opts.file;
  const { history, workflowId: recordedId, signedBy } = readHistoryFile(file, opts.publicKey);
  const workflowId = opts.workflowId ?? recordedId ?? inferWorkflowId(history) ?? 'ovop-replay';
  const { source } = replayOptions(opts);
  const verdict = await replayOne(history, workflowId, opts);
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
      events: history.events?.length ?? 0,
      code: source,
      ...verdict,
    },
    text: `${file} (${workflowId}, ${history.events?.length ?? 0} events${signedBy ? `, signature of key ${signedBy} verified` : ', unsigned'}) against ${source}: ${verdictText(verdict)}`,
  };
}

/** Replays a nomination's latest run, from Temporal or, once Temporal no longer holds it, from the archive. */
async function replayNomination(ctx: Context, id: string, opts: WorkflowCodeOptions): Promise<Outcome> {
  const { ref } = await nominationHandle(ctx, id);
  const { history, source, runId } = await workflowHistory(ctx, ref.workflowId);
  const code = replayOptions(opts).source;
  const verdict = await replayOne(history, ref.workflowId, opts);
  return {
    exitCode: verdict.ok ? 0 : 1,
    json: {
      workflowId: ref.workflowId,
      runId: runId ?? null,
      source,
      events: history.events?.length ?? 0,
      code,
      ...verdict,
    },
    text: `${ref.workflowId} (${history.events?.length ?? 0} events, from ${sourceText(source)}) against ${code}: ${verdictText(verdict)}`,
  };
}

async function replayOne(history: History, workflowId: string, code: WorkflowCodeOptions) {
  const { options, source } = replayOptions(code);
  quietRuntime();
  let error: unknown;
  try {
    await Worker.runReplayHistory(options, history, workflowId);
  } catch (err) {
    if ((err as Error).name !== 'DeterminismViolationError' && (err as Error).name !== 'ReplayError')
      throw bundleError(err, source);
    error = err;
  }
  return verdictOf(error, history);
}

export function readHistoryFile(
  path: string,
  publicKey?: string,
): { history: History; workflowId?: string; signedBy?: string } {
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
  if (isBundleShaped(data)) {
    if ((data as { format?: unknown }).format !== BUNDLE_FORMAT)
      throw refused(`${path} is a tampered audit bundle: its format is not ${BUNDLE_FORMAT}`);
    const bundle = data as AuditBundle;
    checkBundle(path, text, bundle, verificationKey(publicKey));
    signedBy = bundle.signature!.keyId;
    data = { workflowId: bundle.workflowId, events: bundle.events };
  }
  try {
    const history = historyFromJSON(data);
    const workflowId =
      typeof (data as { workflowId?: unknown }).workflowId === 'string'
        ? (data as { workflowId: string }).workflowId
        : undefined;
    if (!history.events?.length) throw new Error('it has no events');
    return { history, workflowId, signedBy };
  } catch (err) {
    throw usage(`${path} is not a Temporal workflow history (${firstLine(err)}); write one with ovop audit export`);
  }
}
