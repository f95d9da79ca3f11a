/**
 * Rows of the PostgreSQL projection written by hand, as the engine's activities would have written them, for tests of
 * what reads the projection alone: the portal's lists and their paging, the API's checks before a workflow is asked,
 * a cycle's earlier record. No workflow stands behind them. Tests seed them in a cycle of their own and remove it
 * afterwards (`removeSeededCycle`): the run's database is shared.
 */
import type { Insertable, Kysely } from 'kysely';
import type { Database, NominationEventsTable, NominationsTable } from '../../db/database';
import { eventHash, GENESIS_HASH, type ChainedEvent } from '../../db/event-chain';
import { nominationWorkflowId } from '../../workflows/ids';

/** A nomination as the projection holds it; what is left out is what a fresh nomination has (none, or null). */
export interface SeededNomination {
  cycleId: string;
  /** Kemendagri code; its province is the part before the dot. */
  regencyCode: string;
  ikmName: string;
  stage: string;
  commodity: string;
  product: string;
  /** The id the cycle gives the IKM unless said (a workflow started by the test, an id nobody started). */
  workflowId?: string;
  /** `Sentra <IKM name>` unless said. */
  sentraName?: string;
  sentraUnits?: number | null;
  deadlineAt?: Date | null;
  provisionalScore?: number | null;
  recommendedStars?: number | null;
  stars?: number | null;
  lastSeq?: number;
}

/** The `nominations` row of a seeded nomination. */
export function projectionRow(n: SeededNomination, updatedAt = new Date()): Insertable<NominationsTable> {
  return {
    workflow_id: n.workflowId ?? nominationWorkflowId(n.cycleId, n.regencyCode, n.ikmName),
    cycle_id: n.cycleId,
    regency_code: n.regencyCode,
    province_code: n.regencyCode.split('.')[0]!,
    ikm_name: n.ikmName,
    sentra_name: n.sentraName ?? `Sentra ${n.ikmName}`,
    sentra_units: n.sentraUnits ?? null,
    commodity: n.commodity,
    product: n.product,
    stage: n.stage,
    prescreen: null,
    previous_stars: null,
    provisional_score: n.provisionalScore ?? null,
    recommended_stars: n.recommendedStars ?? null,
    stars: n.stars ?? null,
    scores: null,
    deadline_at: n.deadlineAt ?? null,
    last_seq: n.lastSeq ?? 1,
    updated_at: updatedAt,
  };
}

/** Writes the nominations' projection rows in one statement; answers their workflow ids, in order. */
export async function seedNominations(db: Kysely<Database>, nominations: SeededNomination[]): Promise<string[]> {
  const now = new Date();
  const rows = nominations.map((n) => projectionRow(n, now));
  await db.insertInto('nominations').values(rows).execute();
  return rows.map((r) => r.workflow_id);
}

/** A `cycles` row of the test's own, with the config (and unless said, the status) of a cycle already open. */
export async function seedCycleLike(
  db: Kysely<Database>,
  cycle: { id: string; name: string; like: string; status?: string },
): Promise<void> {
  await db
    .insertInto('cycles')
    .columns(['id', 'name', 'status', 'config'])
    .expression((eb) =>
      eb
        .selectFrom('cycles')
        .select([
          eb.val(cycle.id).as('id'),
          eb.val(cycle.name).as('name'),
          cycle.status === undefined ? 'status' : eb.val(cycle.status).as('status'),
          'config',
        ])
        .where('id', '=', cycle.like),
    )
    .execute();
}

/** Removes a seeded cycle and its nominations' rows (their events stay: nomination_events is append-only). */
export async function removeSeededCycle(db: Kysely<Database>, cycleId: string): Promise<void> {
  await db.deleteFrom('nominations').where('cycle_id', '=', cycleId).execute();
  await db.deleteFrom('cycles').where('id', '=', cycleId).execute();
}

/** The first row of a nomination's event chain, by the system, hashed as the projection activity hashes it. */
export function firstEventRow(e: {
  workflowId: string;
  type: string;
  stage: string;
  payload: unknown;
  occurredAt: Date;
}): Insertable<NominationEventsTable> {
  const chained: ChainedEvent = {
    workflowId: e.workflowId,
    chainIndex: 1,
    seq: 1,
    type: e.type,
    stage: e.stage,
    actor: { role: 'system', id: 'system', region: '' },
    payload: e.payload,
    occurredAt: e.occurredAt.toISOString(),
    prevHash: GENESIS_HASH,
  };
  return {
    workflow_id: e.workflowId,
    chain_index: 1,
    seq: 1,
    type: e.type,
    stage: e.stage,
    actor_role: 'system',
    actor_id: 'system',
    actor_region: '',
    payload: JSON.stringify(e.payload),
    occurred_at: e.occurredAt,
    prev_hash: GENESIS_HASH,
    hash: eventHash(chained),
  };
}
