/** Read-side queries over the projection, shared by `npm start`'s closing table and the CLI's `report`. */
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

export async function stageCounts(db: Kysely<Database>, cycleId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('nominations')
    .select(['stage', sql<number>`count(*)::int`.as('count')])
    .where('cycle_id', '=', cycleId)
    .groupBy('stage')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.stage, r.count]));
}
