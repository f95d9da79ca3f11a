/**
 * The stars of a cycle per province or per commodity group (`GET /api/cycles/:id/reports/stars-by-province` and
 * `…/stars-by-commodity`, `ovop report --by province|commodity`), from the PostgreSQL projection, with the starred IKM
 * listed the way the ministry announces them ("Bintang 5: PT. Tama Cokelat Indonesia dari Kab. Garut, Jawa Barat").
 * A reader limited to one province gets that province's nominations only.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { commodityLabel, regionName } from '../client/output';
import type { Database } from '../db/database';
import { isTerminal, type Stage } from '../domain/types';

export const StarsGroup = z.object({
  code: z.string(),
  name: z.string(),
  stars: z.object({ 5: z.number(), 4: z.number(), 3: z.number(), 2: z.number(), 1: z.number() }),
  notClassified: z.number(),
  inProgress: z.number(),
  closedWithoutStars: z.number(),
  total: z.number(),
});
export type StarsGroup = z.infer<typeof StarsGroup>;

export const StarredIkm = z.object({
  stars: z.number(),
  ikmName: z.string(),
  regencyCode: z.string(),
  regency: z.string(),
  provinceCode: z.string(),
  province: z.string(),
  commodity: z.string(),
  product: z.string(),
  score: z.number().nullable(),
  workflowId: z.string(),
});
export type StarredIkm = z.infer<typeof StarredIkm>;

export const StarsReport = z
  .object({
    cycleId: z.string(),
    name: z.string().nullable(),
    status: z.string().nullable(),
    by: z.enum(['province', 'commodity']),
    nominations: z.number(),
    groups: z.array(StarsGroup),
    starred: z.array(StarredIkm),
  })
  .meta({ id: 'StarsReport' });
export type StarsReport = z.infer<typeof StarsReport>;

export async function starsReport(
  db: Kysely<Database>,
  cycle: { id: string; name: string; status: string },
  by: 'province' | 'commodity',
  province?: string,
): Promise<StarsReport> {
  let query = db
    .selectFrom('nominations')
    .select([
      'workflow_id',
      'province_code',
      'regency_code',
      'ikm_name',
      'commodity',
      'product',
      'stage',
      'stars',
      'provisional_score',
    ])
    .where('cycle_id', '=', cycle.id);
  if (province) query = query.where('province_code', '=', province);
  const rows = await query.orderBy('workflow_id').execute();

  const groups = new Map<string, StarsGroup>();
  for (const r of rows) {
    const code = by === 'province' ? r.province_code : r.commodity;
    const g = groups.get(code) ?? {
      code,
      name: by === 'province' ? regionName(code) : commodityLabel(code),
      stars: { 5: 0, 4: 0, 3: 0, 2: 0, 1: 0 },
      notClassified: 0,
      inProgress: 0,
      closedWithoutStars: 0,
      total: 0,
    };
    g.total += 1;
    if (r.stage === 'DETERMINED' && r.stars && r.stars >= 1 && r.stars <= 5) g.stars[r.stars as 1] += 1;
    else if (r.stage === 'NOT_CLASSIFIED') g.notClassified += 1;
    else if (!isTerminal(r.stage as Stage)) g.inProgress += 1;
    else g.closedWithoutStars += 1;
    groups.set(code, g);
  }
  const starred: StarredIkm[] = rows
    .filter((r) => r.stage === 'DETERMINED' && (r.stars ?? 0) > 0)
    .map((r) => ({
      stars: r.stars!,
      ikmName: r.ikm_name,
      regencyCode: r.regency_code,
      regency: regionName(r.regency_code),
      provinceCode: r.province_code,
      province: regionName(r.province_code),
      commodity: r.commodity,
      product: r.product,
      score: r.provisional_score,
      workflowId: r.workflow_id,
    }))
    .sort(
      (a, b) =>
        b.stars - a.stars ||
        (by === 'province' ? a.provinceCode.localeCompare(b.provinceCode) : a.commodity.localeCompare(b.commodity)) ||
        a.ikmName.localeCompare(b.ikmName),
    );
  return {
    cycleId: cycle.id,
    name: cycle.name,
    status: cycle.status,
    by,
    nominations: rows.length,
    groups: [...groups.values()].sort((a, b) => a.code.localeCompare(b.code)),
    starred,
  };
}
