/**
 * The workflow of a cycle, as the API finds it before sending an Update: `ovop/<cycle>/cycle` (opened by POST
 * /api/cycles, `ovop cycle start` or a series' schedule), or, for a cycle a schedule of an older release opened, the id
 * Temporal gave it (`ovop/<cycle>/cycle-<time>`, found through `ovop/<cycle>/schedule`; client/cycle-ref.ts explains).
 * A cycle a schedule has yet to open is refused with when it opens.
 */
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { scheduledOpening, scheduleIdOf } from '../client/cycle-ref';
import { cycleWorkflowId } from '../workflows/ids';
import { ApiError, notFound } from './errors';

export async function cycleWorkflowOf(client: Client, cycleId: string): Promise<string> {
  const workflowId = cycleWorkflowId(cycleId);
  try {
    await client.workflow.getHandle(workflowId).describe();
    return workflowId;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const legacy = await client.schedule
    .getHandle(scheduleIdOf(cycleId))
    .describe()
    .catch((err: unknown) => {
      if (err instanceof ScheduleNotFoundError) return undefined;
      throw err;
    });
  // A schedule with the series memo starts openers, which use the usual id; one without it started the cycle itself.
  if (legacy && !(legacy.memo as { ovop?: unknown } | undefined)?.ovop) {
    const started = legacy.info.recentActions.at(-1)?.action.workflow.workflowId;
    if (started) return started;
    const next = legacy.info.nextActionTimes[0];
    throw new ApiError(
      409,
      'refused',
      `cycle ${cycleId} has not opened yet${next ? `; its schedule ${legacy.scheduleId} opens it at ${next.toISOString()}` : ` (schedule ${legacy.scheduleId} has no action left)`}`,
    );
  }
  const due = await scheduledOpening(client, cycleId);
  if (due) throw new ApiError(409, 'refused', `cycle ${cycleId} has not opened yet; ${due}`);
  throw notFound(`no cycle ${cycleId}`);
}
