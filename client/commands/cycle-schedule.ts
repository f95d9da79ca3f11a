/**
 * `ovop cycle schedule --config cycle.yaml --at <date>`: a Temporal Schedule that opens the cycle once, at that date.
 *
 * The schedule (id `ovop/<cycle>/schedule`) has one calendar entry for the exact second and one remaining action. Its
 * action starts `awardCycle` with the cycle's workflow id, `ovop/<cycle>/cycle`. Temporal Schedules append the start
 * time to that id (`ovop/<cycle>/cycle-2027-02-01T01:00:00Z`); the schedule asks them not to with the
 * `keepOriginalWorkflowId` policy (which the SDK does not expose yet, so the create request is amended on its way out,
 * see `KeepWorkflowIdScheduleClient`), but servers up to at least 1.29.1 still append it. The CLI finds such a cycle
 * through its schedule (client/cycle-ref.ts).
 */
import { ScheduleAlreadyRunning, ScheduleClient, type CalendarSpec, type Client, type Month } from '@temporalio/client';
import type { CycleConfig } from '../../domain/types';
import type { awardCycle } from '../../workflows/award-cycle.workflow';
import { cycleWorkflowId } from '../../workflows/ids';
import { readCycleConfig } from '../config-file';
import { scheduleIdOf } from '../cycle-ref';
import { taskQueue } from '../connect';
import type { Context, Outcome } from '../context';
import { refused, usage } from '../errors';
import { alreadyStarted, requireCoordinator } from './cycle-start';
import { formatTime } from '../time';

const MONTHS: Month[] = [
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
];

export async function cycleSchedule(ctx: Context, opts: { config: string; at: string }): Promise<Outcome> {
  const actor = ctx.actor();
  const config = readCycleConfig(opts.config);
  const when = parseAt(opts.at, config.timezone);
  if (when.instant <= Date.now())
    throw usage(`--at ${opts.at} is in the past (${formatTime(when.instant, config.timezone)}); give a future date`);
  requireCoordinator(actor, 'schedule a cycle');

  const { client } = await ctx.temporal();
  const workflowId = cycleWorkflowId(config.id);
  const running = await client.workflow
    .getHandle(workflowId)
    .describe()
    .then(() => true)
    .catch(() => false);
  if (running) throw await alreadyStarted(client, config);

  const scheduleId = scheduleIdOf(config.id);
  const queue = taskQueue();
  try {
    await schedules(client).create({
      scheduleId,
      spec: { calendars: [when.calendar], timezone: when.timezone },
      action: {
        type: 'startWorkflow',
        workflowType: 'awardCycle',
        workflowId,
        taskQueue: queue,
        args: [{ config }] satisfies Parameters<typeof awardCycle>,
        staticSummary: `${config.name} (scheduled by ${actor.id})`,
      },
      // Once, and not again if the server was down at that moment and comes back within a day.
      policies: { catchupWindow: '1 day' },
      state: {
        remainingActions: 1,
        note: `opens cycle ${config.id} at ${opts.at}; scheduled by ${actor.role}:${actor.id}`,
      },
    });
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) {
      throw refused(
        `a schedule for cycle ${config.id} already exists (${scheduleId}); remove it with: temporal schedule delete --schedule-id ${scheduleId}`,
      );
    }
    throw err;
  }
  const at = new Date(when.instant).toISOString();
  return {
    timezone: config.timezone,
    json: {
      scheduleId,
      cycleId: config.id,
      workflowId,
      taskQueue: queue,
      at,
      calendar: when.calendar,
      timezone: when.timezone,
    },
    text: [
      `Cycle ${config.id} (${config.name}) will open at ${formatTime(at, config.timezone)} (--at ${opts.at}).`,
      `  schedule     ${scheduleId} (runs once)`,
      `  workflow     ${workflowId}`,
      `  task queue   ${queue}`,
    ].join('\n'),
  };
}

/** The Schedule client with the `keepOriginalWorkflowId` policy set on every schedule it creates. */
class KeepWorkflowIdScheduleClient extends ScheduleClient {
  override get workflowService() {
    const service = super.workflowService;
    return new Proxy(service, {
      get(target, prop) {
        if (prop === 'createSchedule') {
          return (req: Parameters<typeof target.createSchedule>[0]) =>
            target.createSchedule({
              ...req,
              schedule: { ...req.schedule, policies: { ...req.schedule?.policies, keepOriginalWorkflowId: true } },
            });
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}

function schedules(client: Client): ScheduleClient {
  return new KeepWorkflowIdScheduleClient({ connection: client.connection, namespace: client.options.namespace });
}

export interface ScheduledAt {
  instant: number;
  calendar: CalendarSpec;
  timezone: string;
}

/**
 * `2027-02-01` (midnight) or `2027-02-01T08:00[:00]` are read in the cycle's time zone; a date-time with `Z` or an
 * offset (`2027-02-01T08:00:00+07:00`) is that instant.
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
        text,
      ),
    };
  }
  return { instant: zonedToInstant(fields, timezone), timezone, calendar: calendarOf(...fields, text) };
}

function calendarOf(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  asked: string,
): CalendarSpec {
  return {
    year,
    month: MONTHS[month - 1],
    dayOfMonth: day,
    hour,
    minute,
    second,
    comment: `ovop cycle schedule --at ${asked}`,
  };
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
