/**
 * When a series' schedule opens its cycles (POST /api/cycle-schedules): the first opening (`at`, a date or date-time in
 * the cycle's time zone, or an instant), repeated yearly or every two years on the calendar until the server's last
 * calendar year; or, for tests and demos only, a fixed interval (`every`).
 */
import type { CalendarSpec, ScheduleSpec } from '@temporalio/client';
import { parseDuration } from '../domain/duration';
import type { CycleConfig } from '../domain/types';
import { formatTime } from '../client/time';
import { invalidRequest } from './errors';

/** The server's calendar stops at this year (Temporal's maxCalendarYear). */
const LAST_CALENDAR_YEAR = 2100;
/** A compressed schedule's shortest interval: cycle ids are named to the second. */
const MIN_EVERY_MS = 5_000;

/** The schedule's spec, and its first opening, from the request's `at` and `every`. */
export function scheduleSpec(
  config: CycleConfig,
  opts: { at?: string; every?: string },
  now = Date.now(),
): { spec: ScheduleSpec; first: number; everyMs?: number } {
  const everyMs = opts.every === undefined ? undefined : parseEvery(opts.every);
  const first = parseAt(opts.at ?? `${config.phases.kickoff}T08:00`, config.timezone);
  const firstText = opts.at ? `at ${opts.at}` : `phases.kickoff ${config.phases.kickoff} at 08:00`;
  if (first.instant <= now && everyMs === undefined)
    throw invalidRequest(
      `the first opening (${firstText}, ${formatTime(first.instant, config.timezone)}) is in the past; give a future date`,
    );
  const spec: ScheduleSpec =
    everyMs === undefined
      ? {
          calendars: [recurring(first.calendar, config.cadence, opts.at ?? config.phases.kickoff)],
          timezone: first.timezone,
        }
      : { intervals: [{ every: everyMs }], startAt: opts.at ? new Date(first.instant) : undefined };
  return { spec, first: first.instant, everyMs };
}

export function parseEvery(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (err) {
    throw invalidRequest(`every ${(err as Error).message.replace(/^Invalid duration /, '')}`);
  }
  if (ms < MIN_EVERY_MS || ms % 1000 !== 0)
    throw invalidRequest(
      `every ${text}: give whole seconds, at least ${MIN_EVERY_MS / 1000}s (cycle ids are named to the second)`,
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

// ---------------------------------------------------------------------------------------------------------------------
// at: a date or date-time in the cycle's time zone, or an instant.

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
    invalidRequest(
      `at ${text} is not a date; write 2027-02-01, 2027-02-01T08:00 (in the cycle's time zone, ${timezone}) or 2027-02-01T08:00:00+07:00`,
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
