/**
 * Finds a cycle's workflow, `ovop/<cycle>/cycle`, whether `ovop cycle start` opened it or a series' schedule did (its
 * opener starts the cycle under that id), and says when a cycle that is not there yet is due to open.
 *
 * Schedules made by releases before series (`ovop cycle schedule --at`, once) started `awardCycle` directly, and
 * Temporal appended the start time to its id (`ovop/<cycle>/cycle-2027-02-01T01:00:00Z`; servers up to at least 1.29
 * ignore the `keepOriginalWorkflowId` policy): such a cycle is found through its schedule, `ovop/<cycle>/schedule`.
 */
import { ScheduleNotFoundError, type Client, type ScheduleDescription, type WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { cycleIdOf, seriesOf, type CycleIdBy } from '../domain/cycle-series';
import { cycleWorkflowId } from '../workflows/ids';
import type { Context } from './context';
import { refused } from './errors';
import { formatTime } from './time';
import { retryOnTaskFailure } from '../common/update-retry';

/** The schedule of a series of cycles (`ovop cycle schedule`), or of one cycle opened once by an older release. */
export const scheduleIdOf = (seriesOrCycleId: string) => `ovop/${seriesOrCycleId}/schedule`;

/** What the schedule's memo says about its series, so `list` can name the cycles it opened and will open. */
export interface SeriesMemo {
  series: string;
  configId: string;
  cadence: string;
  idBy: CycleIdBy;
  timezone: string;
}

/** How many coming openings a schedule's view shows. */
const SHOWN_OPENINGS = 3;

export interface ScheduleView {
  scheduleId: string;
  series: string;
  cadence: string;
  timezone: string | null;
  paused: boolean;
  note: string | null;
  /** Coming openings, with the id each cycle will get. */
  next: { at: string; cycleId: string | null }[];
  /** Past firings the server remembers (its last ten): the opener started and the cycle it was due to open. */
  opened: { at: string; cycleId: string | null; workflowId: string }[];
}

export function viewOf(d: ScheduleDescription): ScheduleView {
  const memo = (d.memo as { ovop?: SeriesMemo } | undefined)?.ovop;
  const series = memo?.series ?? d.scheduleId.split('/')[1];
  const cycleAt = (at: Date) => (memo ? cycleIdOf(memo.series, at, memo.timezone, memo.idBy) : null);
  return {
    scheduleId: d.scheduleId,
    series,
    // A schedule without the memo is an older one-off opening of one cycle (`--at`, before series existed).
    cadence: memo?.cadence ?? 'once',
    timezone: memo?.timezone ?? null,
    paused: d.state.paused,
    note: d.state.note ?? null,
    next: d.info.nextActionTimes
      .slice(0, SHOWN_OPENINGS)
      .map((at) => ({ at: at.toISOString(), cycleId: cycleAt(at) ?? series })),
    opened: d.info.recentActions.map((a) => ({
      at: a.scheduledAt.toISOString(),
      cycleId: cycleAt(a.scheduledAt),
      workflowId: a.action.workflow.workflowId,
    })),
  };
}

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
  const legacy = await describeSchedule(ctx, client, scheduleIdOf(cycleId));
  if (legacy && !(legacy.memo as { ovop?: unknown } | undefined)?.ovop) {
    const started = legacy.info.recentActions.at(-1)?.action.workflow.workflowId;
    if (started)
      return {
        cycleId,
        workflowId: started,
        handle: client.workflow.getHandle(started),
        scheduleId: legacy.scheduleId,
      };
    const next = legacy.info.nextActionTimes[0];
    // The schedule starts the cycle with its config, which names the cycle's time zone.
    const [input] = legacy.action.args as [{ config?: { timezone?: string } } | undefined];
    throw refused(
      `cycle ${cycleId} has not opened yet${next ? `; its schedule ${legacy.scheduleId} opens it at ${formatTime(next, input?.config?.timezone)}` : ` (schedule ${legacy.scheduleId} has no action left)`}`,
    );
  }
  const due = await scheduledOpening(client, cycleId);
  if (due) throw refused(`cycle ${cycleId} has not opened yet; ${due}`);
  throw refused(`no cycle ${cycleId}`);
}

/** When the schedule of the cycle's series is due to open it, said in words; undefined when none is. */
export async function scheduledOpening(client: Client, cycleId: string): Promise<string | undefined> {
  const series = [...new Set([seriesOf(cycleId), cycleId.replace(/-\d{8}-\d{6}$/, '')])];
  for (const s of series) {
    const description = await client.schedule
      .getHandle(scheduleIdOf(s))
      .describe()
      .catch((err: unknown) => {
        if (err instanceof ScheduleNotFoundError) return undefined;
        throw err;
      });
    if (!description) continue;
    const next = viewOf(description).next.find((n) => n.cycleId === cycleId);
    if (next)
      return `the schedule of series ${s} (${description.scheduleId}) opens it at ${formatTime(next.at, viewOf(description).timezone)}${description.state.paused ? ' (the schedule is paused)' : ''}`;
  }
  return undefined;
}

async function describeSchedule(
  ctx: Context,
  client: Client,
  scheduleId: string,
): Promise<ScheduleDescription | undefined> {
  try {
    return await ctx.call(client.schedule.getHandle(scheduleId).describe(), `the lookup of schedule ${scheduleId}`);
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}
