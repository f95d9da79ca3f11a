/**
 * `ovop cycle status <cycle>`: a cycle as the API reads it from the PostgreSQL projection (GET /api/cycles/<cycle>,
 * coordinators and auditors): its status, intake window, cycle-wide deadline extensions, and its nominations per
 * stage, province and commodity.
 */
import { STAGES } from '../../domain/types';
import type { CycleStatus, GroupCount } from '../../api/cycle-status';
import { cyclePath } from '../api-client';
import type { Context, Outcome } from '../context';
import { parseCycleId } from '../ids';
import { table } from '../output';
import { formatTime } from '../time';

export async function cycleStatus(ctx: Context, cycleArg: string): Promise<Outcome> {
  const cycleId = parseCycleId(cycleArg);
  ctx.subject = { kind: 'cycle', id: cycleId };
  const view = await ctx.api().request<CycleStatus>('GET', cyclePath(cycleId));
  return { timezone: view.timezone ?? undefined, json: view, text: render(view, Date.now()) };
}

function render(view: CycleStatus, now: number): string {
  const at = (iso: string) => formatTime(iso, view.timezone ?? undefined);
  const intake = !view.intakeClosesAt
    ? 'window unknown'
    : view.status === 'FINALIZED' || Date.parse(view.intakeClosesAt) <= now
      ? `closed (window ended ${at(view.intakeClosesAt)})`
      : `open until ${at(view.intakeClosesAt)} (unless finalization closes it sooner)`;
  const lines = [
    `Cycle ${view.cycleId} — ${view.name}`,
    `  status       ${view.status.toLowerCase()}${view.finalizedAt ? ` (finalized ${at(view.finalizedAt)})` : ''}`,
    `  opened       ${at(view.startedAt)}`,
    `  intake       ${intake}`,
    `  nominated    ${view.nominated}`,
  ];
  const overrides = Object.entries(view.deadlineOverrides);
  if (overrides.length > 0)
    lines.push(`  deadlines    ${overrides.map(([stage, until]) => `${stage} until ${at(until)}`).join(', ')}`);
  const stages = STAGES.filter((s) => (view.stages[s] ?? 0) > 0);
  lines.push(
    '',
    stages.length > 0
      ? table(
          ['stage', 'nominations'],
          stages.map((s) => [s, view.stages[s]]),
        )
      : 'No nomination yet.',
  );
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
  lines.push(...groupTable('province', view.byProvince), ...groupTable('commodity', view.byCommodity));
  return lines.join('\n');
}
