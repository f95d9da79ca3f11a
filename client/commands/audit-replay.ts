/**
 * `ovop audit replay --file h.json`: replays an exported history against the current workflow code and says whether
 * the code still takes the same path (OK) or not (non-deterministic, with the first diverging event). Exit code 1 on
 * any failure. Needs no server: the replay runs in this process.
 */
import { historyFromJSON } from '../history-json';
import { Worker } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import type { Context, Outcome } from '../context';
import { firstLine, usage } from '../errors';
import { inferWorkflowId, type History } from '../history';
import { bundleError, quietRuntime, replayOptions, verdictOf, verdictText, type WorkflowCodeOptions } from '../replay';

export async function auditReplay(
  _ctx: Context,
  opts: { file: string; workflowId?: string } & WorkflowCodeOptions,
): Promise<Outcome> {
  const { history, workflowId: recordedId } = readHistoryFile(opts.file);
  const workflowId = opts.workflowId ?? recordedId ?? inferWorkflowId(history) ?? 'ovop-replay';
  const { options, source } = replayOptions(opts);
  quietRuntime();
  let error: unknown;
  try {
    await Worker.runReplayHistory(options, history, workflowId);
  } catch (err) {
    if ((err as Error).name !== 'DeterminismViolationError' && (err as Error).name !== 'ReplayError')
      throw bundleError(err, source);
    error = err;
  }
  const verdict = verdictOf(error, history);
  return {
    exitCode: verdict.ok ? 0 : 1,
    json: { file: opts.file, workflowId, events: history.events?.length ?? 0, code: source, ...verdict },
    text: `${opts.file} (${workflowId}, ${history.events?.length ?? 0} events) against ${source}: ${verdictText(verdict)}`,
  };
}

export function readHistoryFile(path: string): { history: History; workflowId?: string } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw usage(`cannot read ${path} as JSON: ${firstLine(err)}`);
  }
  try {
    const history = historyFromJSON(data);
    const workflowId =
      typeof (data as { workflowId?: unknown }).workflowId === 'string'
        ? (data as { workflowId: string }).workflowId
        : undefined;
    if (!history.events?.length) throw new Error('it has no events');
    return { history, workflowId };
  } catch (err) {
    throw usage(`${path} is not a Temporal workflow history (${firstLine(err)}); write one with ovop audit export`);
  }
}
