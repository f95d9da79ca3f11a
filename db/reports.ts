/** Read-side queries over the projection: the cycle activities, `npm start`'s closing table and the CLI read through these. */
import { sql, type Kysely } from 'kysely';
import type { Database } from './database';

export interface StarsRow {
  province: string;
  commodity: string;
  stars: number;
  count: number;
}

/** Determined stars per province and commodity, like the seed article's list of Bintang-5 IKM. */
export async function starsByProvinceAndCommodity(db: Kysely<Database>, cycleId: string): Promise<StarsRow[]> {
  const rows = await db
    .selectFrom('nominations')
    .select(['province_code', 'commodity', 'stars', sql<number>`count(*)::int`.as('count')])
    .where('cycle_id', '=', cycleId)
    .where('stars', '>', 0)
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
