/**
 * Why a nomination was lost, when the reason is the workflow code: its recorded history is replayed on today's
 * workflow code in this process (Worker.runReplayHistory). A worker restart makes every cached workflow replay, so a
 * history its own code cannot replay (a nondeterminism error) is exactly what the kills bring out; the message names
 * the first event where code and history part ways.
 */
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { dataConverterOf } from '../../common/temporal-connection';
import { DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../worker/create-worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../common/workflow-bundle';
import { workflowTracingSinks } from '../../common/tracing';

/** The workflow code's interceptors, bundled with it as the worker bundles them. */
const interceptors = { workflowModules: WORKFLOW_INTERCEPTOR_MODULES };

export interface ReplayVerdict {
  workflowId: string;
  ok: boolean;
  message: string;
}

/** Keeps the replay worker's bundling and state logs out of the report (only once, before the runtime exists). */
function quietRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
    });
  } catch {
    // a runtime is already installed (the test process has its own)
  }
}

/** The nondeterminism error's own sentence when there is one (it names the first event where code and history part). */
function whyNot(err: Error): string {
  return /\[TMPRL1100\][^"]*/.exec(err.message)?.[0] ?? err.message.slice(0, 300);
}

export async function replayOnCurrentCode(
  client: Client,
  workflowIds: readonly string[],
  limit = 5,
): Promise<ReplayVerdict[]> {
  quietRuntime();
  const out: ReplayVerdict[] = [];
  for (const workflowId of workflowIds.slice(0, limit)) {
    try {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      await Worker.runReplayHistory(
        { workflowsPath: WORKFLOWS_PATH, interceptors, sinks: workflowTracingSinks(null) },
        history,
        workflowId,
      );
      out.push({ workflowId, ok: true, message: 'replays on the current code' });
    } catch (err) {
      out.push({ workflowId, ok: false, message: whyNot(err as Error) });
    }
  }
  return out;
}

/**
 * Replays the whole recorded history of every given workflow on today's code (one replay worker for all). An auditor
 * must be able to replay every record, so a history that does not replay is a defect even when its workflow finished:
 * it would fail the next time a worker has to rebuild that workflow from history (a restart, a cache eviction).
 */
export async function replayAll(
  client: Client,
  workflowIds: readonly string[],
  payloadCodec?: PayloadCodec,
): Promise<ReplayVerdict[]> {
  quietRuntime();
  async function* histories() {
    for (const workflowId of workflowIds) {
      // A cycle that continued as new has several runs; each must replay.
      for await (const exec of client.workflow.list({ query: `WorkflowId = '${workflowId.replace(/'/g, "\\'")}'` })) {
        const history = await client.workflow.getHandle(workflowId, exec.runId).fetchHistory();
        yield { workflowId: `${workflowId}#${exec.runId}`, history };
      }
    }
  }
  const out: ReplayVerdict[] = [];
  const options = {
    workflowsPath: WORKFLOWS_PATH,
    interceptors,
    sinks: workflowTracingSinks(null),
    ...(payloadCodec ? { dataConverter: dataConverterOf({ payloadCodec }) } : {}),
  };
  for await (const r of Worker.runReplayHistories(options, histories())) {
    out.push({
      workflowId: r.workflowId,
      ok: !r.error,
      message: r.error ? whyNot(r.error) : 'replays on the current code',
    });
  }
  return out;
}
