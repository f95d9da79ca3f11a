/**
 * The cycles a page needs, from the projection: a cycle's recorded rules carry its time zone, its socialization
 * sessions and its assessment aspects, which the pages show and build their forms from.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CycleConfig } from '../../domain/types';
import type { Dictionary } from './lang/id';

export type CycleRules = Omit<CycleConfig, 'regencies' | 'provinces'>;

export interface PortalCycle {
  id: string;
  name: string;
  status: string;
  startedAt: Date;
  rules: CycleRules;
}

const toCycle = (r: { id: string; name: string; status: string; config: unknown; started_at: Date }): PortalCycle => ({
  id: r.id,
  name: r.name,
  status: r.status,
  startedAt: r.started_at,
  rules: r.config as CycleRules,
});

export async function cyclesById(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, PortalCycle>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('cycles')
    .select(['id', 'name', 'status', 'config', 'started_at'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, toCycle(r)]));
}

/** How many cycles a page's choice of cycle lists: a cycle a year, so years of them. */
export const CYCLE_CHOICES = 20;

export interface OpenCycles {
  /** The newest open cycles, at most CYCLE_CHOICES. */
  cycles: PortalCycle[];
  /** Open cycles beyond those, counted by PostgreSQL: said on the page, not dropped in silence. */
  more: number;
}

/** Cycles still taking nominations or running them, newest first. */
export async function openCycles(db: Kysely<Database>): Promise<OpenCycles> {
  const rows = await db
    .selectFrom('cycles')
    .select(['id', 'name', 'status', 'config', 'started_at'])
    .where('status', '=', 'OPEN')
    .orderBy('started_at', 'desc')
    .limit(CYCLE_CHOICES)
    .execute();
  const { n } = await db
    .selectFrom('cycles')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'OPEN')
    .executeTakeFirstOrThrow();
  return { cycles: rows.map(toCycle), more: Math.max(0, Number(n) - rows.length) };
}

/** Every cycle, newest first (the coordinator's choice of dashboard). */
export async function recentCycles(db: Kysely<Database>, limit = 20): Promise<PortalCycle[]> {
  const rows = await db
    .selectFrom('cycles')
    .select(['id', 'name', 'status', 'config', 'started_at'])
    .orderBy('started_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toCycle);
}

export interface CycleChoices {
  /** The newest, then the one asked for by its id when it is older (a link to it still opens it). */
  cycles: PortalCycle[];
  /** Every cycle, counted by PostgreSQL: more than the choice lists is said on the page. */
  total: number;
}

/** The cycles a page offers to choose from. */
export async function cycleChoices(db: Kysely<Database>, asked?: string): Promise<CycleChoices> {
  const cycles = await recentCycles(db, CYCLE_CHOICES);
  if (asked && !cycles.some((c) => c.id === asked)) cycles.push(...(await cyclesById(db, [asked])).values());
  const { n } = await db
    .selectFrom('cycles')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return { cycles, total: Number(n) };
}

export const timeZoneOf = (c: PortalCycle | undefined): string => c?.rules.timezone ?? 'Asia/Jakarta';

/** The page's line saying the choice is not every cycle, when it is not; `''` otherwise. */
export function choicesNote(t: Dictionary, c: CycleChoices): string {
  return c.total > CYCLE_CHOICES ? t.paging.newestCycles(CYCLE_CHOICES, c.total) : '';
}

/** The line under a form's choice of open cycle saying how many more are open than it lists; `''` when none. */
export function moreOpenNote(t: Dictionary, open: OpenCycles): string {
  return open.more > 0 ? t.paging.moreOpenCycles(open.more, open.cycles.length) : '';
}
