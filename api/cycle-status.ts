/**
 * A cycle as `GET /api/cycles/:id` answers it, from the PostgreSQL projection alone: its row (status, config, when it
 * opened and finalized), its nominations per stage and per province and commodity, and the cycle-wide deadline
 * extensions on record. No workflow query: the cycle's own census lags, the projection does not.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { commodityLabel, regionName } from '../client/output';
import type { Database } from '../db/database';
import { stageCountsByProvinceAndCommodity, type StageCountRow } from '../db/reports';
import { parseDuration } from '../domain/duration';
import { isTerminal, type Stage } from '../domain/types';

const GroupCount = z.object({
  code: z.string(),
  name: z.string(),
  total: z.number(),
  inProgress: z.number(),
  starred: z.number(),
  closedWithoutStars: z.number(),
});
export type GroupCount = z.infer<typeof GroupCount>;

export const CycleStatus = z
  .object({
    cycleId: z.string(),
    name: z.string(),
    status: z.string().describe('OPEN or FINALIZED'),
    timezone: z.string().nullable(),
    startedAt: z.string(),
    intakeWindow: z.string().nullable(),
    intakeClosesAt: z.string().nullable().describe('when the intake window opened at startedAt ends'),
    finalizedAt: z.string().nullable(),
    nominated: z.number(),
    stages: z.record(z.string(), z.number()),
    deadlineOverrides: z.record(z.string(), z.string()).describe('the latest cycle-wide extension of each stage'),
    byProvince: z.array(GroupCount),
    byCommodity: z.array(GroupCount),
  })
  .meta({ id: 'CycleStatus' });
export type CycleStatus = z.infer<typeof CycleStatus>;

/** The cycle's status, or undefined when the projection has no row for it. */
export async function cycleStatus(db: Kysely<Database>, cycleId: string): Promise<CycleStatus | undefined> {
  const cycle = await db.selectFrom('cycles').selectAll().where('id', '=', cycleId).executeTakeFirst();
  if (!cycle) return undefined;
  const [rows, changes] = await Promise.all([
    stageCountsByProvinceAndCommodity(db, cycleId),
    db
      .selectFrom('cycle_deadline_changes')
      .select(['stage', 'until'])
      .where('cycle_id', '=', cycleId)
      .orderBy('recorded_at')
      .execute(),
  ]);
  const config = (cycle.config ?? {}) as { timezone?: string; intakeWindow?: string };
  let intakeClosesAt: string | null = null;
  try {
    if (config.intakeWindow)
      intakeClosesAt = new Date(cycle.started_at.getTime() + parseDuration(config.intakeWindow)).toISOString();
  } catch {
    // A config recorded by an older release without a readable window: the answer says null.
  }
  const stages: Record<string, number> = {};
  for (const r of rows) stages[r.stage] = (stages[r.stage] ?? 0) + r.count;
  return {
    cycleId: cycle.id,
    name: cycle.name,
    status: cycle.status,
    timezone: config.timezone ?? null,
    startedAt: cycle.started_at.toISOString(),
    intakeWindow: config.intakeWindow ?? null,
    intakeClosesAt,
    finalizedAt: cycle.finalized_at ? new Date(cycle.finalized_at).toISOString() : null,
    nominated: rows.reduce((n, r) => n + r.count, 0),
    stages,
    deadlineOverrides: Object.fromEntries(changes.map((c) => [c.stage, c.until])),
    byProvince: group(rows, (r) => r.province, regionName),
    byCommodity: group(rows, (r) => r.commodity, commodityLabel),
  };
}

function group(rows: StageCountRow[], keyOf: (r: StageCountRow) => string, nameOf: (code: string) => string) {
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
