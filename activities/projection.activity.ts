/** Writes one nomination event and the projection it leads to, in one transaction, idempotent on (workflow id, seq). */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database';
import { eventHash, GENESIS_HASH } from '../db/event-chain';
import type { RecordEventInput } from './contracts';
import { addressFor } from './recipients';

/**
 * Appends the event to its nomination's hash chain (db/event-chain.ts). A transaction-scoped advisory lock on the
 * workflow id makes concurrent writers of one nomination take turns, so each reads the true chain head; a retried
 * activity finds its (workflow_id, seq) already written and appends nothing.
 */
async function writeEvent(trx: Transaction<Database>, e: RecordEventInput): Promise<boolean> {
  await sql`select pg_advisory_xact_lock(hashtext(${`nomination_events:${e.workflowId}`}))`.execute(trx);
  const existing = await trx
    .selectFrom('nomination_events')
    .select('seq')
    .where('workflow_id', '=', e.workflowId)
    .where('seq', '=', e.seq)
    .executeTakeFirst();
  if (existing) return false;
  const head = await trx
    .selectFrom('nomination_events')
    .select(['chain_index', 'hash'])
    .where('workflow_id', '=', e.workflowId)
    .orderBy('chain_index', 'desc')
    .limit(1)
    .executeTakeFirst();
  const chained = {
    workflowId: e.workflowId,
    chainIndex: (head?.chain_index ?? 0) + 1,
    seq: e.seq,
    type: e.type,
    stage: e.stage,
    actor: { role: e.actor.role, id: e.actor.id, region: e.actor.region },
    payload: e.payload,
    occurredAt: new Date(e.at).toISOString(),
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  const inserted = await trx
    .insertInto('nomination_events')
    .values({
      workflow_id: e.workflowId,
      seq: e.seq,
      type: e.type,
      stage: e.stage,
      actor_role: e.actor.role,
      actor_id: e.actor.id,
      actor_region: e.actor.region,
      payload: JSON.stringify(e.payload),
      occurred_at: e.at,
      chain_index: chained.chainIndex,
      prev_hash: chained.prevHash,
      hash: eventHash(chained),
    })
    .onConflict((oc) => oc.columns(['workflow_id', 'seq']).doNothing())
    .returning('seq')
    .executeTakeFirst();
  return inserted !== undefined;
}

async function writeProjection(trx: Transaction<Database>, e: RecordEventInput): Promise<void> {
  const p = e.projection;
  const row = {
    cycle_id: p.cycleId,
    regency_code: p.regencyCode,
    province_code: p.provinceCode,
    ikm_name: p.ikmName,
    sentra_name: p.sentraName,
    sentra_units: p.sentraUnits ?? null,
    commodity: p.commodity,
    product: p.product,
    stage: p.stage,
    prescreen: p.prescreen ?? null,
    previous_stars: p.previousStars,
    provisional_score: p.provisionalScore,
    recommended_stars: p.recommendedStars,
    stars: p.stars,
    scores: p.scores === null ? null : JSON.stringify(p.scores),
    deadline_at: p.deadlineAt,
    decree_number: p.decreeNumber ?? null,
    coaching_level: p.coachingLevel ?? null,
    // A nomination with its rules by reference names the coaching office by reference; the row shows the address.
    coaching_office: p.coachingOffice ? await addressFor(trx, e.workflowId, p.coachingOffice) : null,
    certificate_date: p.certificateDate ?? null,
    certificate_by: p.certificateBy ?? null,
    last_seq: e.seq,
    updated_at: e.at,
  };
  // Activities of one workflow may complete out of order (an update handler and the main loop both write); the
  // projection only ever moves forward to a higher sequence number.
  await trx
    .insertInto('nominations')
    .values({ workflow_id: e.workflowId, ...row })
    .onConflict((oc) => oc.column('workflow_id').doUpdateSet(row).where('nominations.last_seq', '<', e.seq))
    .execute();
}

/** A visit scheduled or moved replaces the row's date and team; its result fills in `passed` once decided. */
async function writeFieldVisit(trx: Transaction<Database>, e: RecordEventInput): Promise<void> {
  const v = e.fieldVisit!;
  if (v.passed !== undefined) {
    await trx
      .updateTable('field_visits')
      .set({ passed: v.passed, items_found: v.found ?? null, decided_at: e.at })
      .where('workflow_id', '=', e.workflowId)
      .execute();
    return;
  }
  const row = {
    visit_date: v.visitDate!,
    team: JSON.stringify(v.team ?? []),
    facilitator: v.facilitator ?? null,
    scheduled_by: `${e.actor.role}:${e.actor.id}`,
    scheduled_at: e.at,
  };
  await trx
    .insertInto('field_visits')
    .values({ workflow_id: e.workflowId, ...row })
    .onConflict((oc) => oc.column('workflow_id').doUpdateSet(row))
    .execute();
}

export function createProjectionActivities(db: Kysely<Database>) {
  return {
    async recordNominationEvent(e: RecordEventInput): Promise<{ inserted: boolean }> {
      return db.transaction().execute(async (trx) => {
        const inserted = await writeEvent(trx, e);
        if (!inserted) return { inserted };
        await writeProjection(trx, e);
        if (e.document) {
          await trx
            .insertInto('documents')
            .values({
              workflow_id: e.workflowId,
              kind: e.document.kind,
              round: e.document.round,
              file_name: e.document.fileName,
              checksum: e.document.checksum,
              size_bytes: e.document.sizeBytes,
              document_id: e.document.documentId ?? null,
              submitted_by: `${e.actor.role}:${e.actor.id}`,
              submitted_at: e.at,
            })
            .onConflict((oc) => oc.columns(['workflow_id', 'kind', 'round']).doNothing())
            .execute();
        }
        if (e.assessment) {
          await trx
            .insertInto('assessments')
            .values({
              workflow_id: e.workflowId,
              cycle_id: e.projection.cycleId,
              assessor_id: e.assessment.assessorId,
              scores: JSON.stringify(e.assessment.scores),
              total: e.assessment.total,
              submitted_at: e.at,
            })
            .onConflict((oc) => oc.columns(['workflow_id', 'assessor_id']).doNothing())
            .execute();
        }
        if (e.fieldVisit) await writeFieldVisit(trx, e);
        for (const item of e.evidence ?? []) {
          await trx
            .insertInto('field_evidence')
            .values({
              workflow_id: e.workflowId,
              item: item.item,
              found: item.found,
              note: item.note ?? null,
              files: JSON.stringify(item.files ?? []),
              recorded_by: `${e.actor.role}:${item.recordedBy}`,
              recorded_at: e.at,
            })
            .onConflict((oc) => oc.columns(['workflow_id', 'item']).doNothing())
            .execute();
        }
        if (e.samples) {
          await trx
            .insertInto('product_samples')
            .values({
              workflow_id: e.workflowId,
              received_on: e.samples.receivedOn,
              condition: e.samples.condition,
              received_by: e.samples.receivedBy,
              notes: e.samples.notes,
              recorded_by: `${e.actor.role}:${e.actor.id}`,
              recorded_at: e.at,
            })
            .onConflict((oc) => oc.column('workflow_id').doNothing())
            .execute();
        }
        return { inserted };
      });
    },
  };
}
