/**
 * Curation lists: IKM selected from a cycle's results for a follow-up programme (since 2023, e.g. "OVOP Go Global":
 * selected Bintang 2–3 for export-readiness coaching). A coordinator builds a named list by criteria; the members are
 * stored as selected then, so the list stays what was decided even if the projection changes later.
 */
import type { Kysely } from 'kysely';
import type { Database } from './database';

export interface CurationCriteria {
  /** Determined star levels to select (1–5). */
  stars: number[];
  /** Commodity groups; empty for all. */
  commodities: string[];
  /** Province codes; empty for all. */
  provinces: string[];
  /** The lowest provisional score; null for any. */
  minScore: number | null;
}

export interface CurationMember {
  workflowId: string;
  ikmName: string;
  regencyCode: string;
  provinceCode: string;
  commodity: string;
  stars: number;
  score: number | null;
}

export interface CurationList {
  cycleId: string;
  name: string;
  criteria: CurationCriteria;
  builtBy: string;
  builtAt: string;
  members: CurationMember[];
}

/** A list of the same name built before with other criteria. */
export class CurationConflict extends Error {
  override name = 'CurationConflict';
}

const sameCriteria = (a: CurationCriteria, b: CurationCriteria) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Builds the list from the determined nominations of the cycle that meet the criteria; building the same list again
 * (same name and criteria) answers with the stored one and `created: false`.
 */
export async function buildCurationList(
  db: Kysely<Database>,
  input: { cycleId: string; name: string; criteria: CurationCriteria; builtBy: string },
): Promise<{ list: CurationList; created: boolean }> {
  const created = await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('curation_lists')
      .values({
        cycle_id: input.cycleId,
        name: input.name,
        criteria: JSON.stringify(input.criteria),
        built_by: input.builtBy,
      })
      .onConflict((oc) => oc.columns(['cycle_id', 'name']).doNothing())
      .returning('name')
      .executeTakeFirst();
    if (!inserted) return false;
    let query = trx
      .selectFrom('nominations')
      .select(['workflow_id', 'ikm_name', 'regency_code', 'province_code', 'commodity', 'stars', 'provisional_score'])
      .where('cycle_id', '=', input.cycleId)
      .where('stage', '=', 'DETERMINED')
      .where('stars', 'in', input.criteria.stars);
    if (input.criteria.commodities.length) query = query.where('commodity', 'in', input.criteria.commodities);
    if (input.criteria.provinces.length) query = query.where('province_code', 'in', input.criteria.provinces);
    if (input.criteria.minScore !== null) query = query.where('provisional_score', '>=', input.criteria.minScore);
    const rows = await query.orderBy('workflow_id').execute();
    if (rows.length > 0) {
      await trx
        .insertInto('curation_list_members')
        .values(
          rows.map((r) => ({
            cycle_id: input.cycleId,
            list_name: input.name,
            workflow_id: r.workflow_id,
            ikm_name: r.ikm_name,
            regency_code: r.regency_code,
            province_code: r.province_code,
            commodity: r.commodity,
            stars: r.stars ?? 0,
            provisional_score: r.provisional_score,
          })),
        )
        .execute();
    }
    return true;
  });
  const list = (await readCurationList(db, input.cycleId, input.name))!;
  if (!created && !sameCriteria(list.criteria, input.criteria)) {
    throw new CurationConflict(
      `curation list ${input.name} of cycle ${input.cycleId} already exists with other criteria (${describeCriteria(list.criteria)}), built ${list.builtAt} by ${list.builtBy}; choose another name`,
    );
  }
  return { list, created };
}

export async function readCurationList(
  db: Kysely<Database>,
  cycleId: string,
  name: string,
): Promise<CurationList | undefined> {
  const list = await db
    .selectFrom('curation_lists')
    .selectAll()
    .where('cycle_id', '=', cycleId)
    .where('name', '=', name)
    .executeTakeFirst();
  if (!list) return undefined;
  const members = await db
    .selectFrom('curation_list_members')
    .selectAll()
    .where('cycle_id', '=', cycleId)
    .where('list_name', '=', name)
    .orderBy('stars', 'desc')
    .orderBy('province_code')
    .orderBy('ikm_name')
    .execute();
  return {
    cycleId,
    name,
    criteria: list.criteria as CurationCriteria,
    builtBy: list.built_by,
    builtAt: list.built_at.toISOString(),
    members: members.map((m) => ({
      workflowId: m.workflow_id,
      ikmName: m.ikm_name,
      regencyCode: m.regency_code,
      provinceCode: m.province_code,
      commodity: m.commodity,
      stars: m.stars,
      score: m.provisional_score,
    })),
  };
}

export function describeCriteria(c: CurationCriteria): string {
  return [
    `Bintang ${c.stars.join(', ')}`,
    c.commodities.length ? `commodity ${c.commodities.join(', ')}` : null,
    c.provinces.length ? `province ${c.provinces.join(', ')}` : null,
    c.minScore !== null ? `score ≥ ${c.minScore}` : null,
  ]
    .filter(Boolean)
    .join('; ');
}
