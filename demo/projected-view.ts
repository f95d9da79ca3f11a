/**
 * A nomination as the scripted actors decide from it (demo/next-actions.ts), read from the PostgreSQL projection the
 * API and the portal read, never from a workflow query (without the sticky cache each query replays the whole history).
 * The rows of a nomination's events land one activity at a time, possibly out of order, so a view is only taken once
 * every event up to the newest has its row: `seq` is then in the Update answers' `eventCount` space, and a driver that
 * knows an answer of sequence N waits for a view past N (`projectedAfter`), never for a fixed time.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database';
import { HOLD_EVENTS } from '../api/coordinator-lists';
import {
  assessmentsOf,
  assignedAssessors,
  documentRules,
  documentsOf,
  type NominationRow,
} from '../api/nomination-reads';
import { requiredDocumentKinds } from '../domain/documents';
import type { Commodity, CycleConfig, DeadlineStage, Stage } from '../domain/types';
import type { ActorView } from './next-actions';

export interface ProjectedView {
  view: ActorView;
  /** The projection's row, for what the actors' view leaves out (the commodity, the deadline, the scores). */
  row: NominationRow;
  /** The newest event's sequence number; every event up to it has its row. */
  seq: number;
}

/** When a scheduled field visit's team is due to record what it found (epoch ms); NaN when no visit waits for it. */
export function visitDue(v: ActorView): number {
  const visit = v.fieldVisit;
  return visit && visit.outstanding.length > 0 ? Date.parse(visit.date) : NaN;
}

/** Events whose payload carries the document round they open or belong to, and what it asks for again. */
const ROUND_EVENTS = ['stage.changed', 'review.changes_requested', 'prescreen.returned'];
/** A deadline extension also ends a hold on its stage. */
const HOLD_ENDING = [...HOLD_EVENTS, 'deadline.extended'];

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The nomination's view from the projection, read in one snapshot; undefined while it has no row, or while an event
 * before the newest has not landed yet.
 */
export async function projectedView(
  db: Kysely<Database>,
  workflowId: string,
  config: CycleConfig,
): Promise<ProjectedView | undefined> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const seq = await landedSeq(trx, workflowId);
      if (seq === 0) return undefined;
      const row = await trx
        .selectFrom('nominations')
        .selectAll()
        .where('workflow_id', '=', workflowId)
        .executeTakeFirst();
      if (!row) return undefined;
      const [rules, documents, assessors, sheets, events, visit, evidence] = await Promise.all([
        documentRules(trx, workflowId),
        documentsOf(trx, workflowId),
        assignedAssessors(trx, workflowId),
        assessmentsOf(trx, workflowId),
        trx
          .selectFrom('nomination_events')
          .select(['type', 'payload', 'occurred_at'])
          .where('workflow_id', '=', workflowId)
          .where((eb) =>
            eb.or([
              eb('type', 'in', HOLD_ENDING),
              eb.and([eb('type', 'in', ROUND_EVENTS), sql<boolean>`payload ? 'round'`]),
            ]),
          )
          .orderBy('seq')
          .execute(),
        trx.selectFrom('field_visits').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst(),
        trx.selectFrom('field_evidence').select('item').where('workflow_id', '=', workflowId).execute(),
      ]);
      let revisionRound = 0;
      let missingDocuments: string[] | undefined;
      let prescreenReturns = 0;
      let hold = null as ActorView['hold'];
      for (const e of events) {
        const p = e.payload as {
          round?: number;
          resubmit?: string[];
          missing?: string[];
          deadlineStage?: DeadlineStage;
        };
        if (e.type === 'deadline.hold') hold = { stage: p.deadlineStage!, since: e.occurred_at.toISOString() };
        else if (e.type === 'deadline.extended') hold = hold?.stage === p.deadlineStage ? null : hold;
        else if (HOLD_EVENTS.includes(e.type)) hold = null;
        else if (p.round !== undefined) {
          revisionRound = Math.max(revisionRound, p.round);
          if (e.type === 'prescreen.returned') prescreenReturns += 1;
          // A new round asks for what its event lists; a stage entered within the round keeps what it asked.
          if (e.type !== 'stage.changed') missingDocuments = p.resubmit ?? p.missing;
        }
      }
      const checklist = config.fieldVisit?.checklist ?? [];
      return {
        seq,
        row,
        view: {
          workflowId,
          stage: row.stage as Stage,
          regencyCode: row.regency_code,
          revisionRound,
          hold,
          requiredDocuments: requiredDocumentKinds(rules.checklist, row.commodity as Commodity),
          ...(missingDocuments && { missingDocuments }),
          prescreenReturns,
          documents: documents.map(({ documentId, ...d }) => ({ ...d, ...(documentId && { documentId }) })),
          assessors,
          scoredBy: sheets.map((a) => a.assessorId),
          fieldVisit: visit && {
            date: visit.visit_date.toISOString(),
            team: visit.team,
            facilitator: visit.facilitator,
            scheduledBy: visit.scheduled_by,
            evidence: [],
            outstanding: checklist.map((c) => c.id).filter((id) => !evidence.some((x) => x.item === id)),
            passed: visit.passed,
          },
        },
      };
    });
}

/** The newest event's sequence number of a nomination once every event up to it has its row; 0 before. */
export async function landedSeq(db: Kysely<Database>, workflowId: string): Promise<number> {
  const landed = await db
    .selectFrom('nomination_events')
    .select([sql<number>`count(*)::int`.as('rows'), sql<number | null>`max(seq)`.as('seq')])
    .where('workflow_id', '=', workflowId)
    .executeTakeFirstOrThrow();
  return landed.seq !== null && landed.rows === landed.seq ? landed.seq : 0;
}

/**
 * Waits, with a short backoff, until the projection holds a nomination's events past `seq` (the workflow moved on from
 * what the caller knows), then reads its view; once `until` (epoch ms) passes without that, the view as it stands.
 * Only the landed sequence number is polled, one indexed count, so that fifty waiting actors cost the database little.
 */
export async function projectedAfter(
  db: Kysely<Database>,
  workflowId: string,
  config: CycleConfig,
  seq: number,
  until: number,
): Promise<ProjectedView | undefined> {
  let wait = 20;
  for (;;) {
    if ((await landedSeq(db, workflowId)) > seq || Date.now() >= until) {
      const p = await projectedView(db, workflowId, config);
      // An event landed between the two reads may leave a gap for a moment: read again.
      if (p || Date.now() >= until) return p;
    }
    await pause(Math.min(wait, Math.max(0, until - Date.now())));
    wait = Math.min(400, wait * 2);
  }
}
