/**
 * Finds a cycle's workflow. `ovop cycle start` runs it as `ovop/<cycle>/cycle`; a cycle opened by `ovop cycle schedule`
 * runs under whatever id its Schedule gave it, because Temporal Schedules append the start time to the workflow id
 * (`ovop/<cycle>/cycle-2027-02-01T01:00:00Z`; servers up to at least 1.29 ignore the `keepOriginalWorkflowId` policy).
 */
import { ScheduleNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { cycleWorkflowId } from '../workflows/ids';
import type { Context } from './context';
import { refused } from './errors';
import { formatTime } from './time';
import { retryOnTaskFailure } from '../common/update-retry';

export const scheduleIdOf = (cycleId: string) => `ovop/${cycleId}/schedule`;

export interface CycleRef {
  cycleId: string;
  workflowId: string;
  handle: WorkflowHandle;
  /** Set when a Schedule opened the cycle. */
  scheduleId?: string;
}

/**
 * Runs an update on the cycle; a finalized (closed) cycle answers "not found", which is said as what it is.
 */
export async function updateCycle<T>(
  ctx: Context,
  cycle: CycleRef,
  call: (handle: WorkflowHandle) => Promise<T>,
  what: string,
): Promise<T> {
  try {
    return await ctx.call(
      retryOnTaskFailure(() => call(cycle.handle)),
      what,
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      const status = await cycle.handle
        .describe()
        .then((d) => d.status.name)
        .catch(() => undefined);
      if (status && status !== 'RUNNING')
        throw refused(`cycle ${cycle.cycleId} is closed (its workflow is ${status.toLowerCase()})`);
    }
    throw err;
  }
}

export async function findCycle(ctx: Context, cycleId: string): Promise<CycleRef> {
  ctx.subject = { kind: 'cycle', id: cycleId };
  const { client } = await ctx.temporal();
  const workflowId = cycleWorkflowId(cycleId);
  const handle = client.workflow.getHandle(workflowId);
  try {
    await ctx.call(handle.describe(), `the lookup of cycle ${cycleId}`);
    return { cycleId, workflowId, handle };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const scheduleId = scheduleIdOf(cycleId);
  let description;
  try {
    description = await ctx.call(
      client.schedule.getHandle(scheduleId).describe(),
      `the lookup of schedule ${scheduleId}`,
    );
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw refused(`no cycle ${cycleId}`);
    throw err;
  }
  const started = description.info.recentActions.at(-1)?.action.workflow.workflowId;
  if (!started) {
    const next = description.info.nextActionTimes[0];
    // The schedule starts the cycle with its config, which names the cycle's time zone.
    const [input] = description.action.args as [{ config?: { timezone?: string } } | undefined];
    throw refused(
      `cycle ${cycleId} has not opened yet${next ? `; its schedule ${scheduleId} opens it at ${formatTime(next, input?.config?.timezone)}` : ` (schedule ${scheduleId} has no action left)`}`,
    );
  }
  return { cycleId, workflowId: started, handle: client.workflow.getHandle(started), scheduleId };
}
