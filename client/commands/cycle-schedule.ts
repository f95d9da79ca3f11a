/**
 * `ovop cycle schedule --config cycle.yaml [--at <first opening>] [--every <duration>]`: a recurring Temporal Schedule
 * that opens a cycle of the config's series at its cadence (yearly, or every two years), on the calendar date in the
 * cycle's time zone (POST /api/cycle-schedules, a coordinator; api/schedule-spec.ts reads --at and --every);
 * `ovop cycle schedule list|pause|unpause|delete` manage it. The schedule's id is `ovop/<series>/schedule`, the series
 * being the config's id without a trailing year; api/routes/schedules.ts says what each firing does.
 */
import { readFileSync } from 'node:fs';
import type { ScheduleView } from '../cycle-ref';
import { readCycleConfig } from '../config-file';
import type { Context, Outcome } from '../context';
import { usage } from '../errors';
import { table } from '../output';
import { formatTime } from '../time';

export interface ScheduleOptions {
  config: string;
  at?: string;
  every?: string;
}

export async function cycleSchedule(ctx: Context, opts: ScheduleOptions): Promise<Outcome> {
  const config = readCycleConfig(opts.config);
  const view = await ctx.api().request<ScheduleView & { taskQueue: string }>('POST', '/api/cycle-schedules', {
    json: { config: readFileSync(opts.config, 'utf8'), at: opts.at, every: opts.every },
  });
  const compressed = opts.every !== undefined;
  return {
    timezone: config.timezone,
    json: view,
    text: [
      `Series ${view.series} (${config.name}) opens a cycle ${view.cadence}${compressed ? ' (compressed: for tests and demos)' : `, in ${config.timezone}`}.`,
      `  schedule     ${view.scheduleId}`,
      `  task queue   ${view.taskQueue}`,
      `  next         ${view.next.map((n) => `${n.cycleId} at ${formatTime(n.at, config.timezone)}`).join('\n               ') || '(none)'}`,
    ].join('\n'),
  };
}

/** `ovop cycle schedule list`: every cycle schedule with its cadence, state and coming and past openings. */
export async function cycleScheduleList(ctx: Context): Promise<Outcome> {
  const { schedules: views } = await ctx.api().request<{ schedules: ScheduleView[] }>('GET', '/api/cycle-schedules');
  const rows = views.map((v) => [
    v.series,
    v.cadence,
    v.paused ? 'paused' : 'active',
    v.next[0] ? `${v.next[0].cycleId} at ${formatTime(v.next[0].at, v.timezone ?? undefined)}` : '',
    v.opened.at(-1)
      ? `${v.opened.at(-1)!.cycleId ?? v.opened.at(-1)!.workflowId} at ${formatTime(v.opened.at(-1)!.at, v.timezone ?? undefined)}`
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
  const series = parseSeries(seriesArg);
  const path = `/api/cycle-schedules/${encodeURIComponent(series)}`;
  const api = ctx.api();
  const view =
    change === 'delete'
      ? await api.request<ScheduleView>('DELETE', path)
      : await api.request<ScheduleView>('POST', `${path}/${change}`, { json: opts.note ? { note: opts.note } : {} });
  const past = view.opened.map((o) => o.cycleId ?? o.workflowId);
  const zone = view.timezone ?? undefined;
  const text = {
    pause: `The schedule of series ${series} is paused: no cycle opens until ovop cycle schedule unpause ${series}.`,
    unpause: `The schedule of series ${series} runs again${view.next[0] ? `; next: ${view.next[0].cycleId} at ${formatTime(view.next[0].at, zone)}` : ''}.`,
    delete: `The schedule of series ${series} is deleted; no further cycle opens.${past.length ? ` Cycles it opened run on: ${past.join(', ')}.` : ''}`,
  }[change];
  return {
    timezone: zone,
    json: { ...view, [`${change}d`]: true, note: change === 'delete' ? undefined : view.note },
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
