/**
 * Scores and star gates end to end: normalization of a harsh and a lenient assessor over a cycle, a failed field
 * verification capping the stars, and a missing document capping them — judged from the event log, the projection and
 * the mail the SMTP server received.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  coordinator,
  dinasOf,
  nominationInput,
  sha256,
  startNominationDirectly,
  testConfig,
  workflowInput,
} from '../../bench/drivers';
import type { Actor, CycleConfig } from '../../domain/types';
import { mailFor } from '../../embedded/mailbox';
import {
  attendSocializationUpdate,
  determineStarsUpdate,
  nominationStateQuery,
  reviewDocumentsUpdate,
  submitDocumentUpdate,
  submitScoresUpdate,
  verifyFieldUpdate,
  type NominationView,
} from '../../workflows/messages';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { eventsOfType, waitForEvents } from '../support/nomination-events';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('scoring-gates');
});
afterAll(async () => {
  await h?.stop();
});

const HARSH: Actor = { role: 'assessor', id: 'penilai-keras', region: '34' };
const LENIENT: Actor = { role: 'assessor', id: 'penilai-murah', region: '73' };

/** A sheet scoring every criterion of aspect A with `a`, of B with `b` and of C with `c` (1–3). */
function sheet(config: CycleConfig, a: number, b: number, c: number): Record<string, number> {
  const by: Record<string, number> = { A: a, B: b, C: c };
  return Object.fromEntries(config.assessment.aspects.flatMap((x) => x.criteria.map((k) => [k.id, by[x.id]])));
}

async function stageOf(handle: WorkflowHandle, stage: string): Promise<NominationView> {
  return waitFor(
    async () => {
      const s = await handle.query(nominationStateQuery);
      return s.stage === stage && s;
    },
    { what: `stage ${stage}`, timeoutMs: 60_000 },
  );
}

/** Starts a nomination and takes it through attendance, its documents and the review, to IN_ASSESSMENT. */
async function toAssessment(config: CycleConfig, regencyCode: string, ikmName: string, documents: string[]) {
  const n = nominationInput(config, { regencyCode, ikmName });
  const { handle, workflowId } = await startNominationDirectly(h, h.taskQueue, workflowInput(config, n));
  const dinas = dinasOf(regencyCode);
  await stageOf(handle, 'AWAITING_SOCIALIZATION');
  await handle.executeUpdate(attendSocializationUpdate, { args: [{ actor: dinas, sessionId: 'sesi-1-yogyakarta' }] });
  await stageOf(handle, 'AWAITING_DOCUMENTS');
  for (const kind of documents) {
    const file = { kind, fileName: `${kind}.pdf`, checksum: sha256(kind), sizeBytes: 2048 };
    await handle.executeUpdate(submitDocumentUpdate, { args: [{ actor: dinas, ...file }] });
  }
  await stageOf(handle, 'UNDER_REVIEW');
  await handle.executeUpdate(reviewDocumentsUpdate, { args: [{ actor: coordinator, decision: 'approve' }] });
  await stageOf(handle, 'IN_ASSESSMENT');
  return { handle, workflowId };
}

/** The projection row once it shows `stage` (the row is written by an activity, a moment after the answer). */
function projectionIn(workflowId: string, stage: string) {
  return waitFor(async () => {
    const r = await h.db.selectFrom('nominations').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
    return r?.stage === stage && r;
  });
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sampleSd = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const round2 = (x: number) => Math.round(x * 100) / 100;

describe('normalization of assessors', () => {
  it('lifts a harsh assessor and lowers a lenient one onto the cycle distribution, from the cycle totals', async () => {
    const config = testConfig('uji-normalisasi', {
      mutate: (c) => {
        c.assessment.normalization = true;
        c.assessment.assessorsPerNomination = 2;
        c.assessment.fieldVerificationThreshold = 100;
        c.assessment.assessors = [
          { id: HARSH.id, name: 'Penilai Keras', email: 'penilai.keras@ovop.kemenperin.example', province: '34' },
          { id: LENIENT.id, name: 'Penilai Murah', email: 'penilai.murah@ovop.kemenperin.example', province: '73' },
        ];
      },
    });
    // Three nominations, each scored by both: the harsh assessor's totals are low, the lenient one's high.
    const plan = [
      { regency: '32.05', name: 'Batik Garut Normal', harsh: [1, 1, 2], lenient: [3, 2, 3] },
      { regency: '13.04', name: 'Tenun Pandai Sikek Normal', harsh: [2, 1, 1], lenient: [2, 3, 3] },
      { regency: '52.01', name: 'Gerabah Banyumulek Normal', harsh: [2, 2, 1], lenient: [3, 3, 3] },
    ];
    const ids: string[] = [];
    for (const p of plan) {
      const { handle, workflowId } = await toAssessment(config, p.regency, p.name, ['legality']);
      ids.push(workflowId);
      await handle.executeUpdate(submitScoresUpdate, {
        args: [{ actor: HARSH, scores: sheet(config, ...(p.harsh as [number, number, number])) }],
      });
      await handle.executeUpdate(submitScoresUpdate, {
        args: [{ actor: LENIENT, scores: sheet(config, ...(p.lenient as [number, number, number])) }],
      });
      await stageOf(handle, 'STAR_RECOMMENDED');
    }

    // The oracle, computed here from the rows: z-score each assessor's total against that assessor's own totals, and
    // map it onto the mean and spread of all totals of the cycle.
    const rows = await h.db
      .selectFrom('assessments')
      .select(['assessor_id', 'total'])
      .where('cycle_id', '=', config.id)
      .execute();
    expect(rows).toHaveLength(6);
    const totals = (id: string) => rows.filter((r) => r.assessor_id === id).map((r) => r.total);
    const all = rows.map((r) => r.total);
    expect(mean(totals(HARSH.id))).toBeLessThan(mean(totals(LENIENT.id)));
    const normalized = (id: string, raw: number) =>
      mean(all) + ((raw - mean(totals(id))) / sampleSd(totals(id))) * sampleSd(all);

    const last = ids[2];
    // The stage is read from the workflow; its event rows are written by activities that may still be running.
    const [aggregated] = await waitForEvents(h.db, last, 'assessment.aggregated', {
      what: 'the aggregated event row',
      timeoutMs: 60_000,
    });
    const scored = await eventsOfType(h.db, last, 'assessment.scored');
    const raw = Object.fromEntries(scored.map((e) => [e.actor_id, (e.payload as { total: number }).total]));
    const payload = aggregated.payload as {
      provisionalScore: number;
      perAssessor: Record<string, number>;
      normalized: boolean;
    };
    expect(payload.normalized).toBe(true);
    expect(payload.perAssessor[HARSH.id]).toBeCloseTo(normalized(HARSH.id, raw[HARSH.id]), 1);
    expect(payload.perAssessor[LENIENT.id]).toBeCloseTo(normalized(LENIENT.id, raw[LENIENT.id]), 1);
    expect(payload.perAssessor[HARSH.id]).toBeGreaterThan(raw[HARSH.id]);
    expect(payload.perAssessor[LENIENT.id]).toBeLessThan(raw[LENIENT.id]);
    const provisional = round2(mean([normalized(HARSH.id, raw[HARSH.id]), normalized(LENIENT.id, raw[LENIENT.id])]));
    expect(payload.provisionalScore).toBeCloseTo(provisional, 1);
    expect(payload.provisionalScore).not.toBeCloseTo(mean(Object.values(raw)), 0);

    // The projection shows the normalized score, and the coordinators' mail names it.
    const row = await h.db
      .selectFrom('nominations')
      .selectAll()
      .where('workflow_id', '=', last)
      .executeTakeFirstOrThrow();
    expect(row.provisional_score).toBeCloseTo(payload.provisionalScore, 2);
    // With one sheet each there is no spread to measure: the first nomination keeps its raw totals.
    const [first] = await eventsOfType(h.db, ids[0], 'assessment.aggregated');
    const firstRaw = (await eventsOfType(h.db, ids[0], 'assessment.scored')).map(
      (e) => (e.payload as { total: number }).total,
    );
    expect(Object.values((first.payload as { perAssessor: Record<string, number> }).perAssessor).sort()).toEqual(
      firstRaw.sort(),
    );
  });
});

describe('star gates', () => {
  it('caps the stars at Bintang 3 when the field verification fails, and the coordinator determines the cap', async () => {
    const config = testConfig('uji-gerbang-lapangan');
    const { handle, workflowId } = await toAssessment(config, '32.05', 'Kopi Garut Gerbang', ['legality']);
    const s = await handle.query(nominationStateQuery);
    for (const id of s.assessors) {
      const region = config.assessment.assessors.find((a) => a.id === id)!.province;
      await handle.executeUpdate(submitScoresUpdate, {
        args: [{ actor: { role: 'assessor', id, region }, scores: sheet(config, 3, 3, 3) }],
      });
    }
    await stageOf(handle, 'FIELD_VERIFICATION');
    await handle.executeUpdate(verifyFieldUpdate, {
      args: [{ actor: coordinator, passed: false, notes: 'Sentra tidak aktif' }],
    });
    const recommended = await stageOf(handle, 'STAR_RECOMMENDED');
    expect(recommended).toMatchObject({
      provisionalScore: 100,
      recommendedStars: 3,
      cappedBy: [{ fromStars: 4, reason: 'verifikasi lapangan belum lulus' }],
    });
    const [entered] = (await eventsOfType(h.db, workflowId, 'stage.changed')).filter(
      (e) => e.stage === 'STAR_RECOMMENDED',
    );
    expect(entered.payload).toMatchObject({ recommendedStars: 3, byThreshold: 5 });

    const determined = await handle.executeUpdate(determineStarsUpdate, { args: [{ actor: coordinator }] });
    expect(determined).toMatchObject({ stage: 'DETERMINED', stars: 3 });
    const row = await projectionIn(workflowId, 'DETERMINED');
    expect({ stars: row.stars, recommended: row.recommended_stars }).toEqual({ stars: 3, recommended: 3 });
    const announcement = await waitFor(async () =>
      (await mailFor(h.mailDir, workflowId)).find((m) => m.template === 'announcement'),
    );
    expect(announcement.text).toContain('Bintang 3');
  });

  it('recommends no star without the industry legality document, and the nomination ends NOT_CLASSIFIED', async () => {
    const config = testConfig('uji-gerbang-dokumen', {
      mutate: (c) => {
        // Legality asked of food producers only, while the gate still wants it for any star: a weaving IKM without it.
        c.documents.checklist = [
          ...c.documents.checklist.map((d) =>
            d.kind === 'legality' ? { ...d, commodities: ['makanan_minuman' as const] } : d,
          ),
          { kind: 'product_photos', label: 'Foto produk', commodities: 'all' as const },
        ];
      },
    });
    const { handle, workflowId } = await toAssessment(config, '32.05', 'Tenun Garut Tanpa Izin', ['product_photos']);
    const s = await handle.query(nominationStateQuery);
    expect(s.requiredDocuments).toEqual(['product_photos']);
    for (const id of s.assessors) {
      const region = config.assessment.assessors.find((a) => a.id === id)!.province;
      await handle.executeUpdate(submitScoresUpdate, {
        args: [{ actor: { role: 'assessor', id, region }, scores: sheet(config, 2, 2, 2) }],
      });
    }
    const recommended = await stageOf(handle, 'STAR_RECOMMENDED');
    expect(recommended).toMatchObject({
      provisionalScore: 50,
      recommendedStars: 0,
      cappedBy: [{ fromStars: 1, reason: 'dokumen legality belum ada' }],
    });
    const determined = await handle.executeUpdate(determineStarsUpdate, { args: [{ actor: coordinator }] });
    expect(determined).toMatchObject({ stage: 'NOT_CLASSIFIED', stars: 0 });
    const row = await projectionIn(workflowId, 'NOT_CLASSIFIED');
    expect({ stars: row.stars, recommended: row.recommended_stars }).toEqual({ stars: 0, recommended: 0 });
  });
});
