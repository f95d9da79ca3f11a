/**
 * Re-evaluation from the record (#15 item 4): the stars an IKM holds from an earlier cycle are what that cycle's
 * projection says it determined, never what its nominator types. A re-evaluation skips socialization, so a claim
 * without a record would buy a shorter road: it is refused, with what was searched.
 */
import type { Kysely } from 'kysely';
import type { NominationInput } from '../domain/types';
import { ikmSlug, nominationWorkflowId } from '../workflows/ids';
import type { Database } from './database';

export type PreviousAward = { ok: true; stars: number; workflowId: string } | { ok: false; refusal: string };

/**
 * The earlier award a nomination claims (`previousStars`), looked up as the same IKM (its kabupaten/kota and the key of
 * its name) in the claimed cycle's nominations, DETERMINED with at least one star.
 */
export async function previousAward(
  db: Kysely<Database>,
  n: Pick<NominationInput, 'regencyCode' | 'ikmName' | 'previousStars'> & { cycleId: string },
): Promise<PreviousAward> {
  const claim = n.previousStars!;
  if (claim.cycleId === n.cycleId)
    return { ok: false, refusal: `a re-evaluation names an earlier cycle, not this one (${n.cycleId})` };
  const workflowId = nominationWorkflowId(claim.cycleId, n.regencyCode, n.ikmName);
  const searched =
    `searched the nominations of cycle ${claim.cycleId} for IKM "${ikmSlug(n.ikmName)}" of kabupaten/kota ` +
    `${n.regencyCode} (${workflowId}) with stage DETERMINED`;
  const row = await db
    .selectFrom('nominations')
    .select(['stage', 'stars'])
    .where('workflow_id', '=', workflowId)
    .executeTakeFirst();
  if (!row) return { ok: false, refusal: `no record of the previous award of ${n.ikmName}: ${searched}; found none` };
  if (row.stage !== 'DETERMINED' || !row.stars)
    return {
      ok: false,
      refusal: `no record of the previous award of ${n.ikmName}: ${searched}; it is ${row.stage} there, with no stars`,
    };
  if (claim.stars !== row.stars)
    return {
      ok: false,
      refusal:
        `cycle ${claim.cycleId} determined Bintang ${row.stars} for ${n.ikmName} of ${n.regencyCode}, not ` +
        `Bintang ${claim.stars}; nominate it with the stars of the record`,
    };
  return { ok: true, stars: row.stars, workflowId };
}
