/**
 * A nomination's document checklist as the dinas reads it, from the projection: the kinds its commodity group must
 * submit (the cycle's checklist as recorded at intake), which of them the current round still lacks, and — in a round
 * the reviewer or the dinas provinsi opened — what they asked for and why. The current round is the one the latest
 * `review.changes_requested` or `prescreen.returned` event opened, as the workflow counts them.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { maxFileBytes, requiredDocumentKinds } from '../../domain/documents';
import type { Commodity, Stage } from '../../domain/types';
import { documentRules, documentsOf } from '../nomination-reads';

/** Stages in which the dinas uploads documents (the workflow's submitDocument validator takes them only there). */
export const UPLOAD_STAGES: readonly Stage[] = ['AWAITING_DOCUMENTS', 'REVISION_REQUESTED', 'PRESCREEN_RETURNED'];

export interface ChecklistItem {
  kind: string;
  label: string;
  /** Asked for in the current round. */
  needed: boolean;
  /** The document of this kind submitted in the current round, if any. */
  submitted: { fileName: string; documentId: string | null; sizeBytes: number; submittedAt: string } | null;
}

export interface Checklist {
  round: number;
  items: ChecklistItem[];
  /** Kinds asked for in this round and not yet submitted in it. */
  missing: string[];
  /** Why the round was opened (the reviewer's or the dinas provinsi's reason), in a revision round. */
  request: { by: 'review' | 'prescreen'; reason: string | null } | null;
  maxFileBytes: number;
  documents: Awaited<ReturnType<typeof documentsOf>>;
}

export async function checklistOf(db: Kysely<Database>, workflowId: string, commodity: string): Promise<Checklist> {
  const rules = await documentRules(db, workflowId);
  const documents = await documentsOf(db, workflowId);
  const opened = await db
    .selectFrom('nomination_events')
    .select(['type', 'payload'])
    .where('workflow_id', '=', workflowId)
    .where('type', 'in', ['review.changes_requested', 'prescreen.returned'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const payload = (opened?.payload ?? {}) as {
    round?: number;
    resubmit?: string[];
    missing?: string[];
    reason?: string;
  };
  const round = payload.round ?? 0;
  const required = requiredDocumentKinds(rules.checklist, commodity as Commodity);
  const needed = opened ? (payload.resubmit ?? payload.missing ?? []) : required;
  const items = rules.checklist
    .filter((d) => required.includes(d.kind) || needed.includes(d.kind))
    .map((d) => {
      const doc = documents.find((x) => x.kind === d.kind && x.round === round);
      return {
        kind: d.kind,
        label: d.label,
        needed: needed.includes(d.kind),
        submitted: doc
          ? {
              fileName: doc.fileName,
              documentId: doc.documentId,
              sizeBytes: doc.sizeBytes,
              submittedAt: doc.submittedAt,
            }
          : null,
      };
    });
  return {
    round,
    items,
    missing: items.filter((i) => i.needed && !i.submitted).map((i) => i.kind),
    request: opened
      ? { by: opened.type === 'prescreen.returned' ? 'prescreen' : 'review', reason: payload.reason ?? null }
      : null,
    maxFileBytes: maxFileBytes(rules),
    documents,
  };
}
