/**
 * `ovop cycle status <cycle>`: the cycle workflow's own view (intake, counts per stage as of its last census of the
 * projection, deadline overrides, finalization) and, when DATABASE_URL is set, nominations per province and commodity
 * read from the projection directly. The two are taken at different times, so the census says how old it is.
 */
import { stageCountsByProvinceAndCommodity, type StageCountRow } from '../../db/reports';
import { isTerminal, STAGES, type Stage } from '../../domain/types';
import { cycleStateQuery, type CycleView } from '../../workflows/messages';
import type { Context, Outcome } from '../context';
import { findCycle } from '../cycle-ref';
import { firstLine } from '../errors';
import { parseCycleId } from '../ids';
import { commodityLabel, regionName, table } from '../output';
import { age, formatTime } from '../time';

export interface GroupCount {
  code: string;
  name: string;
  total: number;
  inProgress: number;
  starred: number;
  closedWithoutStars: number;
}

export async function cycleStatus(ctx: Context, cycleArg: string): Promise<Outcome> {
  const cycleId = parseCycleId(cycleArg);
  const cycle = await findCycle(ctx, cycleId);
  const view = await ctx.call(cycle.handle.query(cycleStateQuery), `the state query of cycle ${cycleId}`);

  let byProvince: GroupCount[] | undefined;
  let byCommodity: GroupCount[] | undefined;
  let databaseNote: string | undefined;
  if (ctx.hasDatabase) {
    try {
      const db = await ctx.db('cycle status');
      const rows = await stageCountsByProvinceAndCommodity(db, cycleId);
      byProvince = group(rows, (r) => r.province, regionName);
      byCommodity = group(rows, (r) => r.commodity, commodityLabel);
    } catch (err) {
      databaseNote = `counts by province and commodity unavailable: ${firstLine(err)}`;
    }
  } else {
    databaseNote = 'set DATABASE_URL to see counts by province and commodity';
  }

  const now = Date.now();
  return {
    timezone: view.timezone,
    json: {
      ...view,
      countedSecondsAgo: view.countedAt ? Math.max(0, Math.round((now - Date.parse(view.countedAt)) / 1000)) : null,
      workflowId: cycle.workflowId,
      ...(cycle.scheduleId ? { scheduleId: cycle.scheduleId } : {}),
      byProvince: byProvince ?? null,
      byCommodity: byCommodity ?? null,
      ...(databaseNote ? { note: databaseNote } : {}),
    },
    text: render(view, cycle.workflowId, now, byProvince, byCommodity, databaseNote),
  };
}

function group(
  rows: StageCountRow[],
  keyOf: (r: StageCountRow) => string,
  nameOf: (code: string) => string,
): GroupCount[] {
  const groups = new Map<string, GroupCount>();
  for (const r of rows) {
    const code = keyOf(r);
    const g = groups.get(code) ?? {
      code,
      name: nameOf(code),
      total: 0,
      inProgress: 0,
      starred: 0,
      closedWithoutStars: 0,
    };
    g.total += r.count;
    if (!isTerminal(r.stage as Stage)) g.inProgress += r.count;
    else {
      g.starred += r.starred;
      g.closedWithoutStars += r.count - r.starred;
    }
    groups.set(code, g);
  }
  return [...groups.values()].sort((a, b) => a.code.localeCompare(b.code));
}

function render(
  view: CycleView,
  workflowId: string,
  now: number,
  byProvince?: GroupCount[],
  byCommodity?: GroupCount[],
  note?: string,
): string {
  const at = (iso: string, seconds = false) => formatTime(iso, view.timezone, { seconds });
  const cadence = `every ${view.countEvery || 'few minutes'}`;
  const lines = [
    `Cycle ${view.cycleId} — ${view.name}`,
    `  workflow     ${workflowId}`,
    `  intake       ${view.intakeOpen ? `open until ${at(view.intakeClosesAt)}` : `closed (${at(view.intakeClosesAt)})`}`,
    `  nominated    ${view.nominated}`,
    `  counted      ${
      view.countedAt
        ? `${age(view.countedAt, now)} ago, at ${at(view.countedAt, true)} (per stage, from PostgreSQL, ${cadence})`
        : `not yet (the cycle counts its nominations per stage from PostgreSQL ${cadence})`
    }`,
    `  finalization ${view.finalized ? 'finalized' : view.finalizeRequested ? 'requested; waiting for open nominations to settle' : 'not requested'}`,
    `  runs         ${view.runs}`,
  ];
  const overrides = Object.entries(view.deadlineOverrides);
  if (overrides.length > 0)
    lines.push(`  deadlines    ${overrides.map(([stage, until]) => `${stage} until ${at(until)}`).join(', ')}`);
  const stages = STAGES.filter((s) => (view.counts[s] ?? 0) > 0);
  if (stages.length > 0)
    lines.push(
      '',
      table(
        [`stage (${age(view.countedAt!, now)} ago)`, 'nominations'],
        stages.map((s) => [s, view.counts[s] ?? 0]),
      ),
    );
  else if (view.countedAt) lines.push('', `No nomination at the last count, ${age(view.countedAt, now)} ago.`);
  const groupTable = (title: string, groups: GroupCount[]) =>
    groups.length === 0
      ? []
      : [
          '',
          table(
            [title, 'code', 'total', 'in progress', 'starred', 'closed without stars'],
            groups.map((g) => [g.name, g.code, g.total, g.inProgress, g.starred, g.closedWithoutStars]),
          ),
        ];
  if (byProvince?.length || byCommodity?.length) lines.push('', 'By province and commodity, read from PostgreSQL now:');
  if (byProvince) lines.push(...groupTable('province', byProvince));
  if (byCommodity) lines.push(...groupTable('commodity', byCommodity));
  if (note) lines.push('', `(${note})`);
  return lines.join('\n');
}
