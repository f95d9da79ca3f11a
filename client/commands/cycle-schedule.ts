/**
 * `ovop cycle schedule --config cycle.yaml [--at <first opening>]`: a recurring Temporal Schedule that opens a cycle of
 * the config's series at its cadence (yearly, or every two years), on the calendar date in the cycle's time zone;
 * `ovop cycle schedule list|pause|unpause|delete` manage it.
 *
 * The schedule (id `ovop/<series>/schedule`, the series being the config's id without a trailing year) starts a
 * `cycleOpener` at each firing, which names that firing's cycle (`<series>-<year>`, see domain/cycle-series.ts) and
 * starts its `awardCycle` as `ovop/<cycle>/cycle`; Temporal appends the time to the opener's id, never to the cycle's.
 * `--every <duration>` replaces the calendar by a fixed interval, for tests and demos only: its cycles are named to the
 * second (`<series>-<yyyymmdd>-<hhmmss>`).
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type CalendarSpec,
  type Client,
  type ScheduleDescription,
  type ScheduleSpec,
} from '@temporalio/client';
import { cycleIdOf, seriesOf, type CycleIdBy } from '../../domain/cycle-series';
import { parseDuration } from '../../domain/duration';
import type { CycleConfig } from '../../domain/types';
import type { cycleOpener } from '../../workflows/cycle-opener.workflow';
import { cycleWorkflowId } from '../../workflows/ids';
import { readCycleConfig } from '../config-file';
import { scheduleIdOf, viewOf, type SeriesMemo } from '../cycle-ref';
import { taskQueue } from '../connect';
import type { Context, Outcome } from '../context';
import { refused, usage } from '../errors';
import { table } from '../output';
import { formatTime } from '../time';
import { alreadyStarted, requireCoordinator } from './cycle-start';

/** The server's calendar stops at this year (Temporal's maxCalendarYear). */
const LAST_CALENDAR_YEAR = 2100;
/** A compressed schedule's shortest interval: cycle ids are named to the second. */
const MIN_EVERY_MS = 5_000;

export interface ScheduleOptions {
  config: string;
  at?: string;
  every?: string;
}

export async function cycleSchedule(ctx: Context, opts: ScheduleOptions): Promise<Outcome> {
  const actor = ctx.actor();
  const config = readCycleConfig(opts.config);
  const everyMs = opts.every === undefined ? undefined : parseEvery(opts.every);
  const first = parseAt(opts.at ?? `${config.phases.kickoff}T08:00`, config.timezone);
  const firstText = opts.at ? `--at ${opts.at}` : `phases.kickoff ${config.phases.kickoff} at 08:00`;
  if (first.instant <= Date.now() && everyMs === undefined)
    throw usage(
      `the first opening (${firstText}, ${formatTime(first.instant, config.timezone)}) is in the past; give --at a future date`,
    );
  requireCoordinator(actor, 'schedule cycles');

  const series = seriesOf(config.id);
  const idBy: CycleIdBy = everyMs === undefined ? 'year' : 'second';
  const cadence = everyMs === undefined ? config.cadence : `every ${opts.every!.trim()}`;
  const { client } = await ctx.temporal();
  // The first cycle's id may already be taken (opened by hand); its opening would fail, so say so now.
  const firstCycle = cycleIdOf(series, new Date(Math.max(first.instant, Date.now())), config.timezone, idBy);
  if (idBy === 'year' && (await exists(client, cycleWorkflowId(firstCycle))))
    throw await alreadyStarted(client, { ...config, id: firstCycle });

  const scheduleId = scheduleIdOf(series);
  const spec: ScheduleSpec =
    everyMs === undefined
      ? {
          calendars: [recurring(first.calendar, config.cadence, opts.at ?? config.phases.kickoff)],
          timezone: first.timezone,
        }
      : { intervals: [{ every: everyMs }], startAt: opts.at ? new Date(first.instant) : undefined };
  const memo: SeriesMemo = { series, configId: config.id, cadence, idBy, timezone: config.timezone };
  const queue = taskQueue();
  try {
    await ctx.call(
      client.schedule.create({
        scheduleId,
        spec,
        action: {
          type: 'startWorkflow',
          workflowType: 'cycleOpener',
          workflowId: `ovop/${series}/opener`,
          taskQueue: queue,
          args: [{ config, series, idBy }] satisfies Parameters<typeof cycleOpener>,
          staticSummary: `opens the next cycle of ${config.name} (scheduled by ${actor.id})`,
        },
        policies: {
          // A server that was down on the date still opens the cycle within a week (a compressed one within a minute).
          catchupWindow: everyMs === undefined ? '7 days' : '1 minute',
          // An opener lasts a moment; a firing is never skipped because an earlier one is still starting its cycle.
          overlap: 'ALLOW_ALL',
        },
        memo: { ovop: memo },
        state: { note: `opens ${series} cycles ${cadence}; scheduled by ${actor.role}:${actor.id}` },
      }),
      `the creation of schedule ${scheduleId}`,
    );
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning)
      throw refused(
        `series ${series} already has a schedule (${scheduleId}); see ovop cycle schedule list, or remove it with ovop cycle schedule delete ${series}`,
      );
    throw err;
  }
  const view = viewOf(await ctx.call(client.schedule.getHandle(scheduleId).describe(), `schedule ${scheduleId}`));
  return {
    timezone: config.timezone,
    json: { ...view, taskQueue: queue },
    text: [
      `Series ${series} (${config.name}) opens a cycle ${cadence}${idBy === 'year' ? `, in ${config.timezone}` : ' (compressed: for tests and demos)'}.`,
      `  schedule     ${scheduleId}`,
      `  task queue   ${queue}`,
      `  next         ${view.next.map((n) => `${n.cycleId} at ${formatTime(n.at, config.timezone)}`).join('\n               ') || '(none)'}`,
    ].join('\n'),
  };
}

/** `ovop cycle schedule list`: every cycle schedule with its cadence, state and coming and past openings. */
export async function cycleScheduleList(ctx: Context): Promise<Outcome> {
  const { client } = await ctx.temporal();
  const ids: string[] = [];
  for await (const s of client.schedule.list())
    if (/^ovop\/[^/]+\/schedule$/.test(s.scheduleId)) ids.push(s.scheduleId);
  const views = (
    await Promise.all(
      ids.sort().map((id) =>
        client.schedule
          .getHandle(id)
          .describe()
          .then(viewOf)
          .catch((err: unknown) => {
            if (err instanceof ScheduleNotFoundError) return undefined; // deleted since it was listed
            throw err;
          }),
      ),
    )
  ).filter((v) => v !== undefined);
  const rows = views.map((v) => [
    v.series,
    v.cadence,
    v.paused ? 'paused' : 'active',
    v.next[0] ? `${v.next[0].cycleId} at ${formatTime(v.next[0].at, v.timezone)}` : '',
    v.opened.at(-1)
      ? `${v.opened.at(-1)!.cycleId ?? v.opened.at(-1)!.workflowId} at ${formatTime(v.opened.at(-1)!.at, v.timezone)}`
      : '',
  ]);
  return {
    json: { schedules: views },
    text:
      views.length === 0
        ? 'No cycle schedules.'
        : table(['series', 'cadence', 'state', 'next opening', 'last opened'], rows),
  };
}

export type ScheduleChange = 'pause' | 'unpause' | 'delete';

/** `ovop cycle schedule pause|unpause|delete <series>` (a coordinator). */
export async function cycleScheduleChange(
  ctx: Context,
  change: ScheduleChange,
  seriesArg: string,
  opts: { note?: string },
): Promise<Outcome> {
  const actor = ctx.actor();
  const series = parseSeries(seriesArg);
  requireCoordinator(actor, `${change} a cycle schedule`);
  const scheduleId = scheduleIdOf(series);
  const { client } = await ctx.temporal();
  const handle = client.schedule.getHandle(scheduleId);
  let before: ScheduleDescription;
  try {
    before = await ctx.call(handle.describe(), `schedule ${scheduleId}`);
  } catch (err) {
    if (err instanceof ScheduleNotFoundError)
      throw refused(`series ${series} has no schedule (${scheduleId}); ovop cycle schedule list shows them`);
    throw err;
  }
  const note = `${change}d by ${actor.role}:${actor.id}${opts.note ? `: ${opts.note}` : ''}`;
  if (change === 'pause') {
    if (before.state.paused) throw refused(`the schedule of series ${series} is already paused (${before.state.note})`);
    await ctx.call(handle.pause(note), `the pause of ${scheduleId}`);
  } else if (change === 'unpause') {
    if (!before.state.paused) throw refused(`the schedule of series ${series} is not paused`);
    await ctx.call(handle.unpause(note), `the unpause of ${scheduleId}`);
  } else {
    await ctx.call(handle.delete(), `the deletion of ${scheduleId}`);
  }
  const view = change === 'delete' ? { ...viewOf(before), next: [] } : viewOf(await handle.describe());
  const past = view.opened.map((o) => o.cycleId ?? o.workflowId);
  const text = {
    pause: `The schedule of series ${series} is paused: no cycle opens until ovop cycle schedule unpause ${series}.`,
    unpause: `The schedule of series ${series} runs again${view.next[0] ? `; next: ${view.next[0].cycleId} at ${formatTime(view.next[0].at, view.timezone)}` : ''}.`,
    delete: `The schedule of series ${series} is deleted; no further cycle opens.${past.length ? ` Cycles it opened run on: ${past.join(', ')}.` : ''}`,
  }[change];
  return {
    timezone: view.timezone ?? undefined,
    json: { ...view, [`${change}d`]: true, note: change === 'delete' ? undefined : note },
    text,
  };
}

/** A series as typed: its name (`ovop`), or the schedule id (`ovop/ovop/schedule`). */
function parseSeries(text: string): string {
  const m = /^(?:ovop\/([a-z0-9-]+)\/schedule|([a-z0-9-]+))$/.exec(text.trim());
  if (!m)
    throw usage(
      `"${text}" is not a series; give its name, the cycle config's id without the year (ovop-2027 → ovop), or its schedule id ovop/<series>/schedule`,
    );
  return m[1] ?? m[2];
}

function parseEvery(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (err) {
    throw usage(`--every ${(err as Error).message.replace(/^Invalid duration /, '')}`);
  }
  if (ms < MIN_EVERY_MS || ms % 1000 !== 0)
    throw usage(
      `--every ${text}: give whole seconds, at least ${MIN_EVERY_MS / 1000}s (cycle ids are named to the second)`,
    );
  return ms;
}

/** The first opening's calendar, repeated every year or every other year until the server's last calendar year. */
function recurring(first: CalendarSpec, cadence: CycleConfig['cadence'], asked: string): CalendarSpec {
  const year = first.year as number;
  return {
    ...first,
    year: { start: year, end: LAST_CALENDAR_YEAR, step: cadence === 'biennial' ? 2 : 1 },
    comment: `ovop: a ${cadence} cycle from ${asked}`,
  };
}

async function exists(client: Client, workflowId: string): Promise<boolean> {
  return client.workflow
    .getHandle(workflowId)
    .describe()
    .then(() => true)
    .catch(() => false);
}

// ---------------------------------------------------------------------------------------------------------------------
// --at: a date or date-time in the cycle's time zone, or an instant.

const MONTHS = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
] as const;

export interface ScheduledAt {
  instant: number;
  calendar: CalendarSpec;
  timezone: string;
}

/**
 * `2027-02-01` (midnight) or `2027-02-01T08:00[:00]` are read in the cycle's time zone; a date-time with `Z` or an
 * offset (`2027-02-01T08:00:00+07:00`) is that instant, and the calendar then runs in UTC.
 */
export function parseAt(text: string, timezone: CycleConfig['timezone']): ScheduledAt {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    text.trim(),
  );
  const bad = () =>
    usage(
      `--at ${text} is not a date; write 2027-02-01, 2027-02-01T08:00 (in the cycle's time zone, ${timezone}) or 2027-02-01T08:00:00+07:00`,
    );
  if (!m) throw bad();
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m;
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const check = new Date(Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5]));
  if (
    check.getUTCMonth() !== fields[1] - 1 ||
    check.getUTCDate() !== fields[2] ||
    fields[3] > 23 ||
    fields[4] > 59 ||
    fields[5] > 59
  )
    throw bad();
  if (zone) {
    const instant = Date.parse(
      `${y}-${mo}-${d}T${h}:${mi}:${s}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`,
    );
    if (Number.isNaN(instant)) throw bad();
    const u = new Date(instant);
    return {
      instant,
      timezone: 'UTC',
      calendar: calendarOf(
        u.getUTCFullYear(),
        u.getUTCMonth() + 1,
        u.getUTCDate(),
        u.getUTCHours(),
        u.getUTCMinutes(),
        u.getUTCSeconds(),
      ),
    };
  }
  return { instant: zonedToInstant(fields, timezone), timezone, calendar: calendarOf(...fields) };
}

function calendarOf(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): CalendarSpec {
  return { year, month: MONTHS[month - 1], dayOfMonth: day, hour, minute, second };
}

/** The instant at which the wall clock of `timezone` shows the given fields. */
function zonedToInstant(
  [y, mo, d, h, mi, s]: [number, number, number, number, number, number],
  timezone: string,
): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  let instant = wall - offsetAt(wall, timezone);
  const corrected = wall - offsetAt(instant, timezone);
  if (corrected !== instant) instant = corrected;
  return instant;
}

function offsetAt(instant: number, timezone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, Number(p.value)]),
  );
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(instant / 1000) * 1000;
}
