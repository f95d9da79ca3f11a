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

/** Cycles still taking nominations or running them, newest first. */
export async function openCycles(db: Kysely<Database>): Promise<PortalCycle[]> {
  const rows = await db
    .selectFrom('cycles')
    .select(['id', 'name', 'status', 'config', 'started_at'])
    .where('status', '=', 'OPEN')
    .orderBy('started_at', 'desc')
    .limit(20)
    .execute();
  return rows.map(toCycle);
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

/** How many cycles a page's choice of cycle lists: a cycle a year, so years of them. */
export const CYCLE_CHOICES = 20;

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
