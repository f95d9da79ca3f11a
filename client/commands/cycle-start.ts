/**
 * `ovop cycle start --config cycle.yaml`: opens an award cycle (its `awardCycle` workflow), and warns at once when no
 * worker polls the task queue it was started on.
 */
import { ScheduleNotFoundError, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import { parseDuration } from '../../domain/duration';
import type { Actor, CycleConfig } from '../../domain/types';
import type { awardCycle } from '../../workflows/award-cycle.workflow';
import { cycleWorkflowId } from '../../workflows/ids';
import { readCycleConfig } from '../config-file';
import { coverageWarnings, panelWarnings } from './cycle-check';
import { taskQueue } from '../connect';
import { scheduleIdOf, scheduledOpening } from '../cycle-ref';
import type { Context, Outcome } from '../context';
import { refused } from '../errors';
import { noWorkerWarning, workflowPollers } from '../task-queue';
import { formatTime } from '../time';

/** Opening and scheduling a cycle is the coordinators' job; the workflow has no validator for its own start. */
export function requireCoordinator(actor: Actor, what: string): void {
  if (actor.role !== 'coordinator') throw refused(`role ${actor.role} may not ${what}; only a coordinator may`);
}

export async function cycleStart(ctx: Context, opts: { config: string }): Promise<Outcome> {
  const actor = ctx.actor();
  const config = readCycleConfig(opts.config);
  requireCoordinator(actor, 'open a cycle');
  const { client, address } = await ctx.temporal();
  await refuseIfScheduled(client, config);
  const workflowId = cycleWorkflowId(config.id);
  const queue = taskQueue();
  let runId: string;
  try {
    const handle = await client.workflow.start<typeof awardCycle>('awardCycle', {
      workflowId,
      taskQueue: queue,
      args: [{ config }],
      // A cycle id is used once; only a run that failed or was terminated may be started again.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      staticSummary: `${config.name} (opened by ${actor.id})`,
    });
    runId = handle.firstExecutionRunId;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw await alreadyStarted(client, config);
    throw err;
  }
  const closes = new Date(Date.now() + parseDuration(config.intakeWindow)).toISOString();
  const pollers = await workflowPollers(client, queue);
  const noWorker = pollers !== undefined && pollers.length === 0;
  return {
    warnings: [
      ...coverageWarnings(config),
      ...panelWarnings(config),
      ...(noWorker ? [noWorkerWarning(queue, address)] : []),
    ],
    timezone: config.timezone,
    json: {
      cycleId: config.id,
      name: config.name,
      workflowId,
      runId,
      taskQueue: queue,
      workersPolling: pollers?.length ?? null,
      intakeWindow: config.intakeWindow,
      intakeClosesAt: closes,
    },
    text: [
      noWorker
        ? `Cycle ${config.id} (${config.name}) is started, but no worker polls its task queue yet.`
        : `Cycle ${config.id} (${config.name}) is open.`,
      `  workflow     ${workflowId}`,
      `  task queue   ${queue}${pollers ? ` (${pollers.length} worker${pollers.length === 1 ? '' : 's'} polling)` : ''}`,
      `  intake       open for ${config.intakeWindow}, until about ${formatTime(closes, config.timezone)}`,
      noWorker
        ? `Next: start a worker on ${queue} (npm run worker), then ovop nominate --cycle ${config.id} --file nominations.csv`
        : `Next: ovop nominate --cycle ${config.id} --file nominations.csv`,
    ].join('\n'),
  };
}

/** A cycle that a schedule opens (or opened) is not started by hand as well. */
async function refuseIfScheduled(client: Client, config: CycleConfig): Promise<void> {
  const cycleId = config.id;
  const due = await scheduledOpening(client, cycleId);
  if (due) throw refused(`cycle ${cycleId} is scheduled: ${due}; delete that schedule first to open it now`);
  // A one-off schedule of this very cycle, made by a release before series.
  const scheduleId = scheduleIdOf(cycleId);
  const description = await client.schedule
    .getHandle(scheduleId)
    .describe()
    .catch((err: unknown) => {
      if (err instanceof ScheduleNotFoundError) return undefined;
      throw err;
    });
  if (!description) return;
  const started = description.info.recentActions.at(-1)?.action.workflow.workflowId;
  const next = description.info.nextActionTimes[0];
  throw refused(
    started
      ? `cycle ${cycleId} was opened by its schedule ${scheduleId} (workflow ${started}); see ovop cycle status ${cycleId}`
      : `cycle ${cycleId} is scheduled to open${next ? ` at ${formatTime(next, config.timezone)}` : ''} (schedule ${scheduleId}); delete the schedule first to open it now`,
  );
}

/** The refusal for a cycle id that is taken: running now, or already run to its end. */
export async function alreadyStarted(client: Client, config: CycleConfig) {
  const workflowId = cycleWorkflowId(config.id);
  const status = await client.workflow
    .getHandle(workflowId)
    .describe()
    .then((d) => d.status.name)
    .catch(() => 'RUNNING');
  return status === 'RUNNING'
    ? refused(`cycle ${config.id} already runs (workflow ${workflowId}); see ovop cycle status ${config.id}`)
    : refused(
        `cycle ${config.id} already ran (its workflow is ${status.toLowerCase()}); a cycle id is used once, so give the new cycle another id`,
      );
}
