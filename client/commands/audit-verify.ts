/**
 * `ovop audit verify <cycle>`: replays every workflow of a cycle (its nominations, found by the OvopCycle search
 * attribute, and every run of the cycle workflow itself) against the current code. Exit code 1 on any failure.
 */
import { Worker } from '@temporalio/worker';
import { cycleWorkflowId } from '../../workflows/ids';
import { scheduleIdOf } from '../cycle-ref';
import type { Context, Outcome } from '../context';
import { refused } from '../errors';
import type { History } from '../history';
import { parseCycleId } from '../ids';
import { progress, table } from '../output';
import {
  bundleError,
  quietRuntime,
  replayOptions,
  verdictOf,
  verdictText,
  type ReplayVerdict,
  type WorkflowCodeOptions,
} from '../replay';

export async function auditVerify(ctx: Context, cycleArg: string, opts: WorkflowCodeOptions): Promise<Outcome> {
  const cycleId = parseCycleId(cycleArg);
  const { options, source } = replayOptions(opts);
  const { client } = await ctx.temporal();
  // Nominations carry the OvopCycle search attribute; the cycle workflow is found by its id, or by the schedule that
  // opened it (which gave it another id).
  const query = `OvopCycle = '${cycleId}' OR WorkflowId = '${cycleWorkflowId(cycleId)}' OR TemporalScheduledById = '${scheduleIdOf(cycleId)}'`;
  const { count } = await ctx.call(client.workflow.count(query), `the count of cycle ${cycleId}'s workflows`);
  if (count === 0) throw refused(`no workflows of cycle ${cycleId} (visibility query: ${query})`);

  quietRuntime();
  const bar = progress(count, 'replaying', { json: ctx.json });
  // Keep each history until its result arrives, to name the event a failed replay diverged at.
  const pending = new Map<string, History[]>();
  async function* histories() {
    for await (const h of client.workflow.list({ query }).intoHistories({ concurrency: 4, bufferLimit: 8 })) {
      pending.set(h.workflowId, [...(pending.get(h.workflowId) ?? []), h.history as History]);
      yield h;
    }
  }
  const results: { workflowId: string; runId: string; verdict: ReplayVerdict }[] = [];
  try {
    for await (const r of Worker.runReplayHistories(options, histories())) {
      const history = pending.get(r.workflowId)?.shift();
      results.push({ workflowId: r.workflowId, runId: r.runId, verdict: verdictOf(r.error, history) });
      bar.increment(r.workflowId.split('/').pop());
    }
  } catch (err) {
    throw bundleError(err, source);
  } finally {
    bar.stop();
  }

  const failures = results.filter((r) => !r.verdict.ok);
  const lines = [
    `Replayed ${results.length} workflow run${results.length === 1 ? '' : 's'} of cycle ${cycleId} against ${source}: ${failures.length === 0 ? 'all OK' : `${failures.length} failed`}.`,
  ];
  if (failures.length > 0) {
    lines.push(
      '',
      table(
        ['workflow', 'run', 'result'],
        failures.map((f) => [f.workflowId, f.runId, verdictText(f.verdict)]),
      ),
    );
  }
  return {
    exitCode: failures.length > 0 ? 1 : 0,
    json: {
      cycleId,
      code: source,
      replayed: results.length,
      failed: failures.length,
      results: results.map((r) => ({ workflowId: r.workflowId, runId: r.runId, ...r.verdict })),
    },
    text: lines.join('\n'),
  };
}
