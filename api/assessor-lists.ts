/**
 * The assessor's two lists, each its own query with its filter in SQL and paged by the database: the sheets it still
 * owes (nominations in assessment it has not scored) and the other nominations assigned to it. Both are counted by
 * PostgreSQL over every page, never from the rows loaded.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database';
import type { Principal } from './auth';
import { inListOrder, scopedNominations, type NominationRow } from './nomination-reads';

export const ASSESSOR_LISTS = ['due', 'other'] as const;
export type AssessorList = (typeof ASSESSOR_LISTS)[number];

function listQuery(db: Kysely<Database>, p: Principal, list: AssessorList) {
  const scoped = scopedNominations(db, p);
  if (!scoped) return null;
  // Its own sheet only: whether it has scored, never what another assessor gave.
  const due = sql<boolean>`(nominations.stage = 'IN_ASSESSMENT' and not exists (
    select 1 from assessments a where a.workflow_id = nominations.workflow_id and a.assessor_id = ${p.actor.id}))`;
  return scoped.where(list === 'due' ? due : sql<boolean>`not ${due}`);
}

/** One page of a list, in the dinas list's order (newest cycle first). */
export async function assessorList(
  db: Kysely<Database>,
  p: Principal,
  list: AssessorList,
  page: { limit: number; offset: number },
): Promise<NominationRow[]> {
  const q = listQuery(db, p, list);
  if (!q) return [];
  return inListOrder(q.selectAll()).limit(page.limit).offset(page.offset).execute();
}

/** How many nominations a list holds in all, over every page. */
export async function assessorListCount(db: Kysely<Database>, p: Principal, list: AssessorList): Promise<number> {
  const q = listQuery(db, p, list);
  if (!q) return 0;
  const row = await q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}
