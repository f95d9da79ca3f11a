/**
 * Reads of nominations for the API, from the PostgreSQL projection only (never a workflow query): the scoped list,
 * one nomination with its documents, its assessors (from the `stage.changed` event that assigned them) and, for those
 * who may see them, the assessors' individual score sheets; and the audit trail from `nomination_events`.
 */
import { sql, type Kysely, type Selectable, type SelectQueryBuilder } from 'kysely';
import type { Database, NominationsTable } from '../db/database';
import { regionDisplayName } from '../domain/regions';
import type { CycleConfig, Stage } from '../domain/types';
import { seesAggregate } from '../workflows/blind-view';
import type { Principal } from './auth';
import type { NominationScope } from './authorization';
import { notFound } from './errors';

export type NominationRow = Selectable<NominationsTable>;

/** Events whose `assessors` list is the panel from then on: the draw, a declared conflict, a reassignment. */
const PANEL_EVENTS = ['stage.changed', 'assessment.conflict_declared', 'assessment.reassigned'];

/** The assessors assigned to a nomination: the latest event that carried an `assessors` list. An assessor who
 * declared a conflict or was reassigned is not on it, and so loses access to the nomination. */
export async function assignedAssessors(db: Kysely<Database>, workflowId: string): Promise<string[]> {
  const row = await db
    .selectFrom('nomination_events')
    .select(sql<unknown>`payload->'assessors'`.as('assessors'))
    .where('workflow_id', '=', workflowId)
    .where('type', 'in', PANEL_EVENTS)
    .where(sql<boolean>`payload ? 'assessors'`)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return Array.isArray(row?.assessors) ? row.assessors.filter((a): a is string => typeof a === 'string') : [];
}

/** The nomination's row and its access facts; 404 when the projection has no such nomination. */
export async function nominationScope(
  db: Kysely<Database>,
  workflowId: string,
): Promise<{ row: NominationRow; scope: NominationScope }> {
  const row = await db.selectFrom('nominations').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
  if (!row) throw notFound(`no nomination ${workflowId}`);
  const assessors = await assignedAssessors(db, workflowId);
  return {
    row,
    scope: { workflowId, regencyCode: row.regency_code, provinceCode: row.province_code, assessors },
  };
}

/**
 * The nomination a mail's link names (common/nomination-link.ts): the projection's workflow id whose digest begins
 * with `ref`. The digest is computed in SQL over the nominations (thousands per cycle, not millions).
 */
export async function nominationOfRef(db: Kysely<Database>, ref: string): Promise<string> {
  const row = await db
    .selectFrom('nominations')
    .select('workflow_id')
    .where(sql<string>`substr(encode(sha256(convert_to(workflow_id, 'UTF8')), 'hex'), 1, 24)`, '=', ref)
    .executeTakeFirst();
  if (!row) throw notFound('no nomination has this link');
  return row.workflow_id;
}

export interface ListFilter {
  cycleId?: string;
  stage?: string;
  regencyCode?: string;
  provinceCode?: string;
  limit: number;
  offset: number;
}

/** The nominations the principal may read, as a query to filter further; null when its role reads none. The scope is
 * part of the SQL, not applied afterwards. */
export function scopedNominations(db: Kysely<Database>, p: Principal) {
  let q = db.selectFrom('nominations');
  const { role, region, id } = p.actor;
  if (role === 'dinas_kabkota') q = q.where('regency_code', '=', region);
  else if (role === 'dinas_provinsi') q = q.where('province_code', '=', region);
  else if (role === 'assessor')
    q = q.where('province_code', '<>', region).where((eb) =>
      eb.exists(
        eb
          .selectFrom('nomination_events as e')
          .select('e.seq')
          .whereRef('e.workflow_id', '=', 'nominations.workflow_id')
          .where('e.type', 'in', PANEL_EVENTS)
          .where(sql<boolean>`e.payload->'assessors' @> ${JSON.stringify([id])}::jsonb`)
          // Only the current panel: the latest event that named one.
          .where((inner) =>
            inner(
              'e.seq',
              '=',
              inner
                .selectFrom('nomination_events as l')
                .select((m) => m.fn.max('l.seq').as('seq'))
                .whereRef('l.workflow_id', '=', 'nominations.workflow_id')
                .where('l.type', 'in', PANEL_EVENTS)
                .where(sql<boolean>`l.payload ? 'assessors'`),
            ),
          ),
      ),
    );
  else if (role !== 'coordinator' && role !== 'auditor') return null;
  return q;
}

/** The nominations the principal may read, filtered in SQL; null when its role reads none. */
function filteredNominations(db: Kysely<Database>, p: Principal, f: Omit<ListFilter, 'limit' | 'offset'>) {
  let q = scopedNominations(db, p);
  if (!q) return null;
  if (f.cycleId) q = q.where('cycle_id', '=', f.cycleId);
  if (f.stage) q = q.where('stage', '=', f.stage);
  if (f.regencyCode) q = q.where('regency_code', '=', f.regencyCode);
  if (f.provinceCode) q = q.where('province_code', '=', f.provinceCode);
  return q;
}

/** The list order every page of nominations shares. Newest cycle first: cycle ids do not sort by date, the cycle's start
 * in the projection does. The cycle id and the workflow id break ties, so that paging by offset neither repeats nor
 * skips a row. */
export function inListOrder<Q extends SelectQueryBuilder<Database, 'nominations', object>>(q: Q): Q {
  return q
    .orderBy(
      (eb) => eb.selectFrom('cycles').select('cycles.started_at').whereRef('cycles.id', '=', 'nominations.cycle_id'),
      (ob) => ob.desc().nullsLast(),
    )
    .orderBy('cycle_id')
    .orderBy('regency_code')
    .orderBy('ikm_name')
    .orderBy('workflow_id') as Q;
}

/** The nominations the principal may read, filtered, a page at a time. */
export async function listNominations(db: Kysely<Database>, p: Principal, f: ListFilter): Promise<NominationRow[]> {
  const q = filteredNominations(db, p, f);
  if (!q) return [];
  return inListOrder(q.selectAll()).limit(f.limit).offset(f.offset).execute();
}

/** How many nominations a filter holds in all, counted by PostgreSQL over every page. */
export async function countNominations(
  db: Kysely<Database>,
  p: Principal,
  f: Omit<ListFilter, 'limit' | 'offset'>,
): Promise<number> {
  const q = filteredNominations(db, p, f);
  if (!q) return 0;
  const row = await q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

/** A nomination as its reader may see it: no assessor identity, no individual score; the aggregate and the
 * recommendation only for coordinators and auditors, and for the others once the stars are determined. */
export function nominationSummary(row: NominationRow, reader: Principal) {
  const scores = row.scores as { aspects?: Record<string, number> } | null;
  const aggregate = seesAggregate(reader.actor.role, row.stage as Stage);
  return {
    workflowId: row.workflow_id,
    cycleId: row.cycle_id,
    ikmName: row.ikm_name,
    sentraName: row.sentra_name,
    regencyCode: row.regency_code,
    regencyName: regionDisplayName(row.regency_code),
    provinceCode: row.province_code,
    provinceName: regionDisplayName(row.province_code),
    commodity: row.commodity,
    product: row.product,
    stage: row.stage as Stage,
    previousStars: row.previous_stars,
    provisionalScore: aggregate ? row.provisional_score : null,
    aspectScores: aggregate ? (scores?.aspects ?? null) : null,
    recommendedStars: aggregate ? row.recommended_stars : null,
    stars: row.stars,
    deadlineAt: row.deadline_at?.toISOString() ?? null,
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function documentsOf(db: Kysely<Database>, workflowId: string) {
  const rows = await db
    .selectFrom('documents')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .orderBy('round')
    .orderBy('kind')
    .execute();
  return rows.map((d) => ({
    documentId: d.document_id,
    kind: d.kind,
    round: d.round,
    fileName: d.file_name,
    checksum: d.checksum,
    sizeBytes: d.size_bytes,
    submittedAt: d.submitted_at.toISOString(),
  }));
}

export async function assessmentsOf(db: Kysely<Database>, workflowId: string) {
  const rows = await db
    .selectFrom('assessments')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .orderBy('assessor_id')
    .execute();
  return rows.map((a) => ({
    assessorId: a.assessor_id,
    scores: a.scores,
    total: a.total,
    submittedAt: a.submitted_at.toISOString(),
  }));
}

/** The audit trail of one nomination: every event the workflow recorded, in order. */
export async function eventsOf(db: Kysely<Database>, workflowId: string) {
  const rows = await db
    .selectFrom('nomination_events')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .orderBy('seq')
    .execute();
  return rows.map((e) => ({
    seq: e.seq,
    type: e.type,
    stage: e.stage,
    actor: { role: e.actor_role, id: e.actor_id, region: e.actor_region },
    payload: e.payload as Record<string, unknown>,
    occurredAt: e.occurred_at.toISOString(),
  }));
}

/** Which assessors of a nomination have scored, for those who may see assessor identities. */
export function assessorStatus(assessors: readonly string[], sheets: { assessorId: string }[]) {
  return assessors.map((id) => ({ id, scored: sheets.some((s) => s.assessorId === id) }));
}

/** The documents part of the rules the nomination runs on, as its cycle recorded them at intake. */
export async function documentRules(db: Kysely<Database>, workflowId: string): Promise<CycleConfig['documents']> {
  // A nomination started with its rules by reference (issue #16 item 4) finds them in `cycle_rules`.
  const row = await db
    .selectFrom('nomination_intake as i')
    .leftJoin('cycle_rules as r', (j) =>
      j
        .on(sql`r.cycle_id`, '=', sql`i.input->'rulesRef'->>'cycleId'`)
        .on(sql`r.sha256`, '=', sql`i.input->'rulesRef'->>'sha256'`),
    )
    .select(
      sql<CycleConfig['documents'] | null>`coalesce(i.input->'rules'->'documents', r.rules->'documents')`.as(
        'documents',
      ),
    )
    .where('i.workflow_id', '=', workflowId)
    .executeTakeFirst();
  return row?.documents ?? { checklist: [], revisionRounds: 0 };
}
