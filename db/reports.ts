/**
 * Read-side queries over the projection: the cycle activities, `npm start`'s closing table, the CLI's `ovop report` and
 * the HTTP API read through these.
 */
import { sql, type Kysely } from 'kysely';
import { loadRegions, regionDisplayName } from '../domain/regions';
import type { Database } from './database';

export interface StarsRow {
  province: string;
  commodity: string;
  stars: number;
  count: number;
}

/** Determined stars per province and commodity, like the seed article's list of Bintang-5 IKM. */
export async function starsByProvinceAndCommodity(
  db: Kysely<Database>,
  cycleId: string,
  provinceCode?: string,
): Promise<StarsRow[]> {
  let q = db
    .selectFrom('nominations')
    .select(['province_code', 'commodity', 'stars', sql<number>`count(*)::int`.as('count')])
    .where('cycle_id', '=', cycleId)
    .where('stars', '>', 0);
  if (provinceCode !== undefined) q = q.where('province_code', '=', provinceCode);
  const rows = await q
    .groupBy(['province_code', 'commodity', 'stars'])
    .orderBy('province_code')
    .orderBy('commodity')
    .orderBy('stars', 'desc')
    .execute();
  return rows.map((r) => ({ province: r.province_code, commodity: r.commodity, stars: r.stars ?? 0, count: r.count }));
}

/**
 * Stars per province and commodity for the cycle's closing summary: the determined stars, or the recommended ones
 * where the coordinator has not determined any.
 */
export async function determinedOrRecommendedStars(db: Kysely<Database>, cycleId: string): Promise<StarsRow[]> {
  const rows = await db
    .selectFrom('nominations')
    .select([
      'province_code',
      'commodity',
      sql<number>`coalesce(stars, recommended_stars)`.as('stars'),
      sql<number>`count(*)::int`.as('count'),
    ])
    .where('cycle_id', '=', cycleId)
    .where(sql<boolean>`coalesce(stars, recommended_stars) > 0`)
    .groupBy(['province_code', 'commodity', sql`coalesce(stars, recommended_stars)`])
    .orderBy('province_code')
    .orderBy('commodity')
    .execute();
  return rows.map((r) => ({ province: r.province_code, commodity: r.commodity, stars: r.stars, count: r.count }));
}

/** How many of the cycle's nominations are in each stage (stages with none are absent). */
export async function stageCounts(db: Kysely<Database>, cycleId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('nominations')
    .select(['stage', sql<number>`count(*)::int`.as('count')])
    .where('cycle_id', '=', cycleId)
    .groupBy('stage')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.stage, r.count]));
}

export interface StageCountRow {
  province: string;
  commodity: string;
  stage: string;
  count: number;
  /** Of `count`, how many have stars determined. */
  starred: number;
}

/** Nominations per province, commodity and stage, for `ovop cycle status` to sum by province and by commodity. */
export async function stageCountsByProvinceAndCommodity(
  db: Kysely<Database>,
  cycleId: string,
): Promise<StageCountRow[]> {
  const rows = await db
    .selectFrom('nominations')
    .select([
      'province_code',
      'commodity',
      'stage',
      sql<number>`count(*)::int`.as('count'),
      sql<number>`count(*) filter (where stars > 0)::int`.as('starred'),
    ])
    .where('cycle_id', '=', cycleId)
    .groupBy(['province_code', 'commodity', 'stage'])
    .execute();
  return rows.map((r) => ({
    province: r.province_code,
    commodity: r.commodity,
    stage: r.stage,
    count: r.count,
    starred: r.starred,
  }));
}

// ---------------------------------------------------------------------------------------------------------------------
// The funnel: how far the proposals of each province got.

/**
 * The steps of the funnel, in order, each a count of nominations that got that far at any time (from the append-only
 * events, so a nomination that passed a step and was withdrawn later still counts for it). A new step of the lifecycle
 * is a new entry here and a column in FunnelCounts.
 */
export const FUNNEL_STEPS = [
  { key: 'proposed', label: 'proposed', means: 'nominated by its dinas kabupaten/kota' },
  {
    key: 'prescreenPassed',
    label: 'passed pre-screen',
    means: 'passed by the dinas provinsi (only in cycles with the provincial pre-screen)',
  },
  { key: 'adminPassed', label: 'passed admin', means: 'passed the national administrative selection' },
  { key: 'assessed', label: 'assessed', means: 'scored by all its assessors' },
  { key: 'starred', label: 'starred', means: 'stars determined (Bintang 1 to 5)' },
] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number]['key'];

/** Nominations per funnel step; `prescreenPassed` is null in a cycle without the provincial pre-screen. */
export type FunnelCounts = Record<Exclude<FunnelStep, 'prescreenPassed'>, number> & { prescreenPassed: number | null };

export interface FunnelRow extends FunnelCounts {
  provinceCode: string;
  province: string;
}

export interface FunnelReport {
  cycleId: string;
  /** Whether the cycle has the provincial pre-screen (its config says so, or a nomination went through it). */
  prescreen: boolean;
  provinces: FunnelRow[];
  total: FunnelCounts;
}

/** The pre-screen's pass, as the nomination workflow records it. */
const PRESCREEN_PASSED = 'prescreen.pass';
/** The national administrative selection passes a nomination into assessment. */
const ADMIN_PASSED_STAGES = ['IN_ASSESSMENT'];
/** A nomination is assessed once all its assessors have scored it: it moves on to the field visit or the recommendation. */
const ASSESSED_STAGES = ['FIELD_VERIFICATION', 'STAR_RECOMMENDED'];

/** `provinceCode` limits the report to one province (what a dinas provinsi may read). */
export async function funnelByProvince(
  db: Kysely<Database>,
  cycleId: string,
  provinceCode?: string,
): Promise<FunnelReport> {
  const reached = (condition: ReturnType<typeof sql>) =>
    sql<number>`count(*) filter (where exists (select 1 from nomination_events e where e.workflow_id = n.workflow_id and ${condition}))::int`;
  const [rows, cycle] = await Promise.all([
    db
      .selectFrom('nominations as n')
      .select([
        'n.province_code',
        sql<number>`count(*)::int`.as('proposed'),
        reached(sql`e.type = ${PRESCREEN_PASSED}`).as('prescreen_passed'),
        reached(sql`e.stage in (${sql.join(ADMIN_PASSED_STAGES)})`).as('admin_passed'),
        reached(sql`e.stage in (${sql.join(ASSESSED_STAGES)})`).as('assessed'),
        sql<number>`count(*) filter (where n.stage = 'DETERMINED' and n.stars > 0)::int`.as('starred'),
        sql<number>`count(*) filter (where exists (select 1 from nomination_events e where e.workflow_id = n.workflow_id and e.type like 'prescreen.%'))::int`.as(
          'prescreened',
        ),
      ])
      .where('n.cycle_id', '=', cycleId)
      .$if(provinceCode !== undefined, (q) => q.where('n.province_code', '=', provinceCode!))
      .groupBy('n.province_code')
      .orderBy('n.province_code')
      .execute(),
    db
      .selectFrom('cycles')
      .select(sql<boolean>`coalesce((config->'prescreen'->>'enabled')::boolean, false)`.as('prescreen'))
      .where('id', '=', cycleId)
      .executeTakeFirst(),
  ]);
  const prescreen = (cycle?.prescreen ?? false) || rows.some((r) => r.prescreened > 0);
  const provinces = rows.map((r) => ({
    provinceCode: r.province_code,
    province: nameOf(r.province_code),
    proposed: r.proposed,
    prescreenPassed: prescreen ? r.prescreen_passed : null,
    adminPassed: r.admin_passed,
    assessed: r.assessed,
    starred: r.starred,
  }));
  const sum = (key: Exclude<FunnelStep, 'prescreenPassed'>) => provinces.reduce((t, p) => t + p[key], 0);
  return {
    cycleId,
    prescreen,
    provinces,
    total: {
      proposed: sum('proposed'),
      prescreenPassed: prescreen ? provinces.reduce((t, p) => t + (p.prescreenPassed ?? 0), 0) : null,
      adminPassed: sum('adminPassed'),
      assessed: sum('assessed'),
      starred: sum('starred'),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Participation: which provinces and kabupaten/kota proposed anything, against the Kemendagri catalogue.

export interface Participation {
  participating: number;
  /** In the catalogue (idn-area-data): 38 provinces, 514 kabupaten/kota. */
  total: number;
  /** participating / total. */
  rate: number;
}

export interface ProvinceParticipation {
  provinceCode: string;
  province: string;
  proposals: number;
  /** Its kabupaten/kota that proposed at least one IKM, against all of the province's in the catalogue. */
  regencies: Participation;
}

export interface ParticipationReport {
  cycleId: string;
  proposals: number;
  provinces: Participation;
  regencies: Participation;
  /** Every province of the catalogue, those without a proposal too. */
  byProvince: ProvinceParticipation[];
}

/** `provinceCode` limits the report to one province and its kabupaten/kota (what a dinas provinsi may read). */
export async function participation(
  db: Kysely<Database>,
  cycleId: string,
  provinceCode?: string,
): Promise<ParticipationReport> {
  const rows = await db
    .selectFrom('nominations')
    .select(['province_code', 'regency_code', sql<number>`count(*)::int`.as('proposals')])
    .where('cycle_id', '=', cycleId)
    .$if(provinceCode !== undefined, (q) => q.where('province_code', '=', provinceCode!))
    .groupBy(['province_code', 'regency_code'])
    .execute();
  const catalogue = loadRegions();
  const regencyCodes = Object.keys(catalogue.regencies).filter(
    (r) => provinceCode === undefined || catalogue.provinceOfRegency(r) === provinceCode,
  );
  const rate = (participating: number, total: number): Participation => ({
    participating,
    total,
    rate: total === 0 ? 0 : participating / total,
  });
  const byProvince = Object.keys(catalogue.provinces)
    .filter((code) => provinceCode === undefined || code === provinceCode)
    .sort()
    .map((code) => {
      const mine = rows.filter((r) => r.province_code === code);
      return {
        provinceCode: code,
        province: nameOf(code),
        proposals: mine.reduce((t, r) => t + r.proposals, 0),
        regencies: rate(
          new Set(mine.map((r) => r.regency_code)).size,
          regencyCodes.filter((r) => catalogue.provinceOfRegency(r) === code).length,
        ),
      };
    });
  return {
    cycleId,
    proposals: rows.reduce((t, r) => t + r.proposals, 0),
    provinces: rate(byProvince.filter((p) => p.proposals > 0).length, byProvince.length),
    regencies: rate(new Set(rows.map((r) => r.regency_code)).size, regencyCodes.length),
    byProvince,
  };
}

/** A region's name for reports; the code itself for one the catalogue does not know. */
function nameOf(code: string): string {
  try {
    return regionDisplayName(code);
  } catch {
    return code;
  }
}
