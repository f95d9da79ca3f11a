/**
 * Replays a recorded nomination history under other workflow ids, with the panel probe (panel-probe.interceptor.ts)
 * reporting every panel the replay records: what the draw would give an IKM name spelled to steer it. A draw read from
 * the history repeats the recorded panels under any id; one ranked by a hash of the id would not.
 */
import { bundleWorkflowCode, Worker, type InjectedSinks } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import type { History } from '../../client/history';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../common/workflow-bundle';
import type { PanelProbeSinks } from './panel-probe.interceptor';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** The workflows with the panel probe, bundled once per test file. */
export async function panelProbeBundle(): Promise<{ code: string }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)),
    workflowInterceptorModules: [
      ...WORKFLOW_INTERCEPTOR_MODULES,
      fileURLToPath(new URL('./panel-probe.interceptor.ts', import.meta.url)),
    ],
    logger: quiet,
  });
  return { code };
}

/** The panels a replay of `history` under `workflowId` records, in order. */
export async function panelsOnReplay(
  bundle: { code: string },
  history: History,
  workflowId: string,
): Promise<string[][]> {
  const seen: string[][] = [];
  const sinks: InjectedSinks<PanelProbeSinks> = {
    panelProbe: { drawn: { fn: (_info, _type, assessors) => void seen.push(assessors), callDuringReplay: true } },
  };
  await Worker.runReplayHistory({ workflowBundle: bundle, sinks }, history, workflowId);
  return seen;
}
