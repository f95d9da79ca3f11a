/**
 * A series of cycles that one Temporal Schedule opens (`ovop cycle schedule`): how each opening gets its own cycle id
 * and config. Pure and deterministic (the cycle opener workflow calls it), so it imports nothing with I/O.
 *
 * A series is named by its config's id without a trailing year (`ovop-2027` → series `ovop`; `ovop-demo` stays
 * `ovop-demo`). An opening at a calendar cadence gets `<series>-<year>` from the scheduled time in the cycle's time
 * zone, so two openings of a yearly or biennial schedule never share an id; a compressed test or demo schedule opens
 * every few seconds and gets `<series>-<yyyymmdd>-<hhmmss>` instead.
 */
import type { CycleConfig } from './types';

/** How the cycle id of an opening is written: by the year of a calendar cadence, or to the second for `--every`. */
export type CycleIdBy = 'year' | 'second';

const TRAILING_YEAR = /-(\d{4})$/;

export function seriesOf(configId: string): string {
  return configId.replace(TRAILING_YEAR, '');
}

/** The wall-clock fields of an instant in a time zone (`Intl` is available in the workflow sandbox). */
export function zonedFields(instant: Date, timezone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  ) as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string>;
  return parts;
}

/** The id of the cycle a series opens at `scheduledAt`. */
export function cycleIdOf(series: string, scheduledAt: Date, timezone: string, by: CycleIdBy): string {
  const f = zonedFields(scheduledAt, timezone);
  return by === 'year'
    ? `${series}-${f.year}`
    : `${series}-${f.year}${f.month}${f.day}-${f.hour}${f.minute}${f.second}`;
}

/**
 * The config of one opening: the series' config under the opening's id, with its calendar dates (phases, sessions,
 * fixed deadlines) and a year in its name moved by whole years to the opening's year. An opening by the second keeps
 * the dates as given: a compressed schedule opens many cycles within one year.
 */
export function configForOpening(config: CycleConfig, cycleId: string, scheduledAt: Date): CycleConfig {
  const from = Number(config.phases.kickoff.slice(0, 4));
  const to = Number(zonedFields(scheduledAt, config.timezone).year);
  const years = cycleId.endsWith(`-${to}`) ? to - from : 0;
  if (years === 0) return { ...config, id: cycleId };
  const date = (d: string) => shiftDate(d, years);
  const phases = Object.fromEntries(
    Object.entries(config.phases).map(([k, v]) => [k, typeof v === 'string' ? date(v) : v]),
  ) as CycleConfig['phases'];
  const deadlines = Object.fromEntries(
    Object.entries(config.deadlines).map(([stage, d]) => [stage, d.at ? { ...d, at: date(d.at) } : d]),
  ) as CycleConfig['deadlines'];
  return {
    ...config,
    id: cycleId,
    name: config.name.replace(new RegExp(`\\b${from}\\b`, 'g'), String(to)),
    phases,
    sessions: config.sessions.map((s) => ({ ...s, date: date(s.date) })),
    deadlines,
  };
}

/** `2027-02-01` or `2027-03-31T17:00:00+07:00` moved by whole years; 29 February becomes the 28th in a common year. */
export function shiftDate(text: string, years: number): string {
  const year = Number(text.slice(0, 4)) + years;
  let rest = text.slice(4);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (rest.startsWith('-02-29') && !leap) rest = `-02-28${rest.slice(6)}`;
  return `${String(year).padStart(4, '0')}${rest}`;
}
