/**
 * The coordinator's dashboard lists of one cycle, each its own query with its filter in SQL and paged by the database:
 * those past their deadline, those held awaiting a decision (extend or disqualify), the administrative review queue and
 * the star determination. A cycle of thousands of nominations is read a page at a time, and each list's count is
 * counted by PostgreSQL, never from the rows loaded.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database';
import { TERMINAL_STAGES } from '../domain/types';
import type { Principal } from './auth';
import { scopedNominations, type NominationRow } from './nomination-reads';

export const COORDINATOR_LISTS = ['overdue', 'holds', 'review', 'determination'] as const;
export type CoordinatorList = (typeof COORDINATOR_LISTS)[number];

/** The events that open and resolve a hold: a nomination is held while the latest of them is the hold itself. */
export const HOLD_EVENTS = ['deadline.hold', 'hold.extended', 'hold.disqualified'];

function listQuery(db: Kysely<Database>, p: Principal, cycleId: string, list: CoordinatorList, now: Date) {
  const scoped = scopedNominations(db, p);
  if (!scoped) return null;
  const q = scoped.where('cycle_id', '=', cycleId);
  const latestHold = sql<string | null>`(
    select e.type from nomination_events e
    where e.workflow_id = nominations.workflow_id and e.type in (${sql.join(HOLD_EVENTS)})
    order by e.seq desc limit 1)`;
  switch (list) {
    case 'overdue':
      return q
        .where('stage', 'not in', TERMINAL_STAGES)
        .where('deadline_at', '<', now)
        .where(sql<boolean>`${latestHold} is distinct from 'deadline.hold'`);
    case 'holds':
      return q.where('stage', 'not in', TERMINAL_STAGES).where(sql<boolean>`${latestHold} = 'deadline.hold'`);
    case 'review':
      return q.where('stage', '=', 'UNDER_REVIEW');
    case 'determination':
      return q.where('stage', '=', 'STAR_RECOMMENDED');
  }
}

/** One page of a list, in the dinas list's order within a cycle; the workflow id makes the order total, so paging by
 * offset neither repeats nor skips a row. */
export async function coordinatorList(
  db: Kysely<Database>,
  p: Principal,
  cycleId: string,
  list: CoordinatorList,
  page: { limit: number; offset: number },
  now: Date,
): Promise<NominationRow[]> {
  const q = listQuery(db, p, cycleId, list, now);
  if (!q) return [];
  return q
    .selectAll()
    .orderBy('regency_code')
    .orderBy('ikm_name')
    .orderBy('workflow_id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** How many nominations a list holds in all, over every page. */
export async function coordinatorListCount(
  db: Kysely<Database>,
  p: Principal,
  cycleId: string,
  list: CoordinatorList,
  now: Date,
): Promise<number> {
  const q = listQuery(db, p, cycleId, list, now);
  if (!q) return 0;
  const row = await q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}
